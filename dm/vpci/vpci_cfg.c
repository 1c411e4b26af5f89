/*
 * Config access decode: the 0xCF8 latch and 0xCFC-0xCFF data window, ECAM
 * offsets, access validity, and dispatch to the vdev found by virtual BDF.
 * This is the hot path (config reads are measured): no allocation, one
 * lock, a scan of a small array.
 */
#include "vpci_internal.h"

static bool access_ok(u16 offset, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && offset < PCI_ECFG_SIZE &&
	       IS_ALIGNED(offset, size);
}

int vpci_cfg_read(struct vpci *vp, u16 vbdf, u16 offset, unsigned size, u32 *val)
{
	struct vpci_vdev *d;
	u32 v;

	*val = vpci_ones(size);
	if (!access_ok(offset, size))
		return 0;
	spin_lock(&vp->lock);
	d = vpci_find_vdev(vp, vbdf);
	if (!d) {
		spin_unlock(&vp->lock);
		return -ENODEV;
	}
	v = vpci_ones(size);
	d->ops->read(d, offset, size, &v);
	spin_unlock(&vp->lock);
	*val = v & vpci_ones(size);
	return 0;
}

int vpci_cfg_write(struct vpci *vp, u16 vbdf, u16 offset, unsigned size, u32 val)
{
	struct vpci_vdev *d;

	if (!access_ok(offset, size))
		return 0;
	spin_lock(&vp->lock);
	d = vpci_find_vdev(vp, vbdf);
	if (!d) {
		spin_unlock(&vp->lock);
		return -ENODEV;
	}
	d->ops->write(d, offset, size, val & vpci_ones(size));
	spin_unlock(&vp->lock);
	return 0;
}

static int cfg_read_or_miss(struct vpci *vp, struct vcpu *v, u16 bdf, u16 off, unsigned size,
			    u32 *val)
{
	int ret = vpci_cfg_read(vp, bdf, off, size, val);

	if (ret == -ENODEV && vp->ops->cfg_miss && access_ok(off, size))
		return vp->ops->cfg_miss(vp->ctx, v, bdf, off, size, false, val);
	return ret;
}

static int cfg_write_or_miss(struct vpci *vp, struct vcpu *v, u16 bdf, u16 off, unsigned size,
			     u32 val)
{
	int ret = vpci_cfg_write(vp, bdf, off, size, val);

	if (ret == -ENODEV && vp->ops->cfg_miss && access_ok(off, size))
		return vp->ops->cfg_miss(vp->ctx, v, bdf, off, size, true, &val);
	return ret;
}

/*
 * Only a dword access to 0xCF8 is CONFIG_ADDRESS (PCI 3.0 3.2.2.3.2);
 * narrower ones are ordinary I/O cycles to whatever else decodes there.
 */
int vpci_pio_read(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 *val)
{
	struct vpci *vp = opaque;
	u32 cf8 = vp->cf8;
	u16 off;

	if (port < VPCI_CFC_PORT) {
		if (port == VPCI_CF8_PORT && size == 4) {
			*val = cf8;
			return 0;
		}
		*val = vpci_ones(size);
		if (vp->legacy_read)
			return vp->legacy_read(v, vp->legacy_opaque, port, size, val);
		return 0;
	}
	if (!(cf8 & VPCI_CF8_ENABLE) || port + size > VPCI_CFC_PORT + 4) {
		*val = vpci_ones(size);
		return 0;
	}
	off = (u16)((cf8 & 0xFC) | (port & 3));
	return cfg_read_or_miss(vp, v, (u16)(cf8 >> 8), off, size, val);
}

int vpci_pio_write(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 val)
{
	struct vpci *vp = opaque;
	u32 cf8 = vp->cf8;
	u16 off;

	if (port < VPCI_CFC_PORT) {
		if (port == VPCI_CF8_PORT && size == 4) {
			vp->cf8 = val & VPCI_CF8_MASK;
			return 0;
		}
		if (vp->legacy_write)
			return vp->legacy_write(v, vp->legacy_opaque, port, size, val);
		return 0;
	}
	if (!(cf8 & VPCI_CF8_ENABLE) || port + size > VPCI_CFC_PORT + 4)
		return 0;
	off = (u16)((cf8 & 0xFC) | (port & 3));
	return cfg_write_or_miss(vp, v, (u16)(cf8 >> 8), off, size, val);
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
	*val = size >= 8 ? ~0ULL : vpci_ones(size);
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
		*val = size >= 8 ? ~0ULL : vpci_ones(size);
		return 0;
	}
	if (size > 4 || !ecam_decode(vp, gpa - vp->ecam_base, &bdf, &reg))
		return vpci_ecam_read(vp, gpa - vp->ecam_base, size, val);
	ret = cfg_read_or_miss(vp, v, bdf, reg, size, &v32);
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
		return cfg_write_or_miss(vp, v, bdf, reg, size, (u32)val);
	return vpci_ecam_write(vp, gpa - vp->ecam_base, size, val);
}
