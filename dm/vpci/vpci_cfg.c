/*
 * Config access decode: the 0xCF8 latch and 0xCFC-0xCFF data window, ECAM
 * offsets, access validity, and dispatch to the vdev found by virtual BDF.
 * This is the hot path (config reads are measured): no allocation, one
 * lock, a scan of a small array.
 */
#include "vpci_internal.h"

/* 1, 2 or 4 bytes, naturally aligned, inside the 4 KiB extended space */
static bool access_ok(u16 offset, unsigned size)
{
	return offset < PCI_ECFG_SIZE && (size == 4 || size == 2 || size == 1) &&
	       !(offset & (size - 1));
}

/*
 * No vdev at vbdf (vp->lock held): for a vCPU's access (v not NULL), the
 * VM's miss hook (a post-launched VM's: the Service VM's device model);
 * else -ENODEV.
 */
static __noinline int cfg_miss(struct vpci *vp, struct vcpu *v, u16 vbdf, u16 off, unsigned size,
			       bool write, u32 *val)
{
	spin_unlock(&vp->lock);
	if (v && vp->ops->cfg_miss)
		return vp->ops->cfg_miss(vp->ctx, v, vbdf, off, size, write, val);
	return -ENODEV;
}

/* The op stores size bytes, zero-extended (struct vpci_vdev_ops): nothing to mask. */
static inline int vdev_read_unlock(struct vpci *vp, struct vpci_vdev *d, u16 off, unsigned size,
				   u32 *val)
{
	d->ops->read(d, off, size, val);
	spin_unlock(&vp->lock);
	return 0;
}

/* cfg_read past the hinted vdev, vp->lock held */
static __noinline int cfg_read_scan(struct vcpu *v, struct vpci *vp, u16 vbdf, u16 off,
				    unsigned size, u32 *val)
{
	struct vpci_vdev *d = vpci_find_vdev_scan(vp, vbdf);

	if (!d) {
		*val = size_ones(size);
		return cfg_miss(vp, v, vbdf, off, size, false, val);
	}
	return vdev_read_unlock(vp, d, off, size, val);
}

/*
 * One config read: the vdev at vbdf answers, else the miss path; a read
 * nobody answers gives all ones. The measured config read's vPCI part, so
 * inlined into the port handler, and all but the hinted vdev goes to
 * cfg_read_scan: the hit path keeps little state.
 */
static inline __attribute__((always_inline)) int
cfg_read(struct vcpu *v, struct vpci *vp, u16 vbdf, u16 off, unsigned size, u32 *val)
{
	struct vpci_vdev *d = vpci_vdev_hinted(vp);

	if (!access_ok(off, size)) {
		*val = size_ones(size);
		return 0;
	}
	spin_lock(&vp->lock);
	if (unlikely(!vpci_vdev_is(d, vbdf)))
		return cfg_read_scan(v, vp, vbdf, off, size, val);
	return vdev_read_unlock(vp, d, off, size, val);
}

static int cfg_write(struct vpci *vp, struct vcpu *v, u16 vbdf, u16 off, unsigned size, u32 val)
{
	struct vpci_vdev *d;

	if (!access_ok(off, size))
		return 0;
	spin_lock(&vp->lock);
	d = vpci_find_vdev(vp, vbdf);
	if (!d)
		return cfg_miss(vp, v, vbdf, off, size, true, &val);
	d->ops->write(d, off, size, val & size_ones(size));
	spin_unlock(&vp->lock);
	return 0;
}

int vpci_cfg_read(struct vpci *vp, u16 vbdf, u16 offset, unsigned size, u32 *val)
{
	return cfg_read(NULL, vp, vbdf, offset, size, val);
}

int vpci_cfg_write(struct vpci *vp, u16 vbdf, u16 offset, unsigned size, u32 val)
{
	return cfg_write(vp, NULL, vbdf, offset, size, val);
}

/* The function and register 0xCFC + (port & 3) reaches under latch cf8. */
static u16 cf8_bdf(u32 cf8)
{
	return (u16)(cf8 >> 8);
}

static u16 cf8_reg(u32 cf8, u16 port)
{
	return (u16)((cf8 & 0xFC) | (port & 3));
}

/*
 * Only a dword access to 0xCF8 is CONFIG_ADDRESS (PCI 3.0 3.2.2.3.2);
 * narrower ones are ordinary I/O cycles to whatever else decodes there.
 * An access running past 0xCFF is misaligned, so access_ok refuses it.
 */
int vpci_pio_read(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 *val)
{
	struct vpci *vp = opaque;
	u32 cf8 = vp->cf8;

	if (port >= VPCI_CFC_PORT && (cf8 & VPCI_CF8_ENABLE))
		return cfg_read(v, vp, cf8_bdf(cf8), cf8_reg(cf8, port), size, val);
	if (port == VPCI_CF8_PORT && size == 4) {
		*val = cf8;
		return 0;
	}
	*val = size_ones(size);
	if (port < VPCI_CFC_PORT && vp->legacy_read)
		return vp->legacy_read(v, vp->legacy_opaque, port, size, val);
	return 0;
}

int vpci_pio_write(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 val)
{
	struct vpci *vp = opaque;
	u32 cf8 = vp->cf8;

	if (port == VPCI_CF8_PORT && size == 4) {
		vp->cf8 = val & VPCI_CF8_MASK;
		return 0;
	}
	if (port >= VPCI_CFC_PORT) {
		if (!(cf8 & VPCI_CF8_ENABLE))
			return 0;
		return cfg_write(vp, v, cf8_bdf(cf8), cf8_reg(cf8, port), size, val);
	}
	if (vp->legacy_write)
		return vp->legacy_write(v, vp->legacy_opaque, port, size, val);
	return 0;
}

/* ECAM: bus in bits 27:20, device 19:15, function 14:12, register 11:0. */
static bool ecam_decode(const struct vpci *vp, u64 offset, u16 *bdf, u16 *reg)
{
	if ((offset >> 20) > vp->ecam_end_bus)
		return false;
	*bdf = (u16)(offset >> 12);
	*reg = (u16)(offset & 0xFFF);
	return true;
}

int vpci_ecam_read(struct vpci *vp, u64 offset, unsigned size, u64 *val)
{
	u16 bdf, reg;
	u32 v;
	int ret;

	/* 8-byte and unaligned accesses are not config requests: all ones */
	*val = size >= 8 ? ~0ULL : size_ones(size);
	if (size > 4 || !ecam_decode(vp, offset, &bdf, &reg))
		return 0;
	ret = vpci_cfg_read(vp, bdf, reg, size, &v);
	*val = v;
	return ret;
}

int vpci_ecam_write(struct vpci *vp, u64 offset, unsigned size, u64 val)
{
	u16 bdf, reg;

	if (size > 4 || !ecam_decode(vp, offset, &bdf, &reg))
		return 0;
	return vpci_cfg_write(vp, bdf, reg, size, (u32)val);
}

int vpci_ecam_mmio_read(struct vcpu *v, void *opaque, u64 gpa, unsigned size, u64 *val)
{
	struct vpci *vp = opaque;

	u16 bdf, reg;
	u32 v32;
	int ret;

	if (gpa < vp->ecam_base || gpa - vp->ecam_base >= vpci_ecam_size(vp)) {
		*val = size >= 8 ? ~0ULL : size_ones(size);
		return 0;
	}
	if (size > 4 || !ecam_decode(vp, gpa - vp->ecam_base, &bdf, &reg))
		return vpci_ecam_read(vp, gpa - vp->ecam_base, size, val);
	ret = cfg_read(v, vp, bdf, reg, size, &v32);
	*val = v32;
	return ret;
}

int vpci_ecam_mmio_write(struct vcpu *v, void *opaque, u64 gpa, unsigned size, u64 val)
{
	struct vpci *vp = opaque;

	u16 bdf, reg;

	if (gpa < vp->ecam_base || gpa - vp->ecam_base >= vpci_ecam_size(vp))
		return 0;
	if (size <= 4 && ecam_decode(vp, gpa - vp->ecam_base, &bdf, &reg))
		return cfg_write(vp, v, bdf, reg, size, (u32)val);
	return vpci_ecam_write(vp, gpa - vp->ecam_base, size, val);
}
