/*
 * The modern virtio PCI transport (include/virtio_pci.h). The common
 * configuration is one little-endian structure the driver may touch at any
 * width: a read is cut from a snapshot of its fields, a write is laid over
 * that snapshot and every field it touched is stored whole, so byte, word and
 * split 64-bit accesses all mean the same.
 */
#include <stdio.h>
#include <string.h>

#include "virtio_pci.h"

#define PCI_COMMAND		0x04
#define PCI_COMMAND_MEMORY	0x02
#define PCI_STATUS		0x06
#define PCI_STATUS_CAP_LIST	0x10
#define PCI_REVISION		0x08
#define PCI_BAR0		0x10
#define PCI_SUBSYS_VENDOR	0x2C
#define PCI_SUBSYS_ID		0x2E
#define PCI_CAP_PTR		0x34
#define PCI_CAP_ID_MSIX		0x11
#define PCI_CAP_ID_VNDR		0x09
#define MSIX_CTRL_ENABLE	0x8000
#define MSIX_CTRL_MASKALL	0x4000
#define MSIX_ENTRY_MASKED	1u

enum { CAP_COMMON = 1, CAP_NOTIFY = 2, CAP_ISR = 3, CAP_DEVICE = 4 };

/* common configuration fields (virtio 1.x 4.1.4.3) */
enum {
	C_DFSELECT = 0x00, C_DF = 0x04, C_GFSELECT = 0x08, C_GF = 0x0C, C_MSIX = 0x10,
	C_NUMQ = 0x12, C_STATUS = 0x14, C_GEN = 0x15, C_QSEL = 0x16, C_QSIZE = 0x18,
	C_QMSIX = 0x1A, C_QENABLE = 0x1C, C_QNOTIFY = 0x1E, C_QDESC = 0x20, C_QDESC_HI = 0x24,
	C_QDRIVER = 0x28, C_QDRIVER_HI = 0x2C, C_QDEVICE = 0x30, C_QDEVICE_HI = 0x34,
};
static const struct { uint8_t off, len; } fields[] = {
	{ C_DFSELECT, 4 }, { C_DF, 4 }, { C_GFSELECT, 4 }, { C_GF, 4 }, { C_MSIX, 2 },
	{ C_NUMQ, 2 }, { C_STATUS, 1 }, { C_GEN, 1 }, { C_QSEL, 2 }, { C_QSIZE, 2 },
	{ C_QMSIX, 2 }, { C_QENABLE, 2 }, { C_QNOTIFY, 2 }, { C_QDESC, 4 }, { C_QDESC_HI, 4 },
	{ C_QDRIVER, 4 }, { C_QDRIVER_HI, 4 }, { C_QDEVICE, 4 }, { C_QDEVICE_HI, 4 },
};

static void put(uint8_t *b, unsigned off, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		b[off + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get(const uint8_t *b, unsigned off, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)b[off + i] << (8 * i);
	return v;
}

void virtio_pci_cfg_put(struct virtio_pci *vp, unsigned off, uint64_t v, unsigned size)
{
	if (off + size <= sizeof(vp->cfg))
		put(vp->cfg, off, v, size);
}

static unsigned nvectors(const struct virtio_pci *vp)
{
	return vp->desc->nqueues + 1;
}

/* a vendor capability: cfg_type and where it points in BAR 0 */
static void vndr_cap(struct pci_func *f, unsigned at, unsigned next, unsigned len, unsigned type,
		     uint32_t off, uint32_t size)
{
	f->cfg[at] = PCI_CAP_ID_VNDR;
	f->cfg[at + 1] = (uint8_t)next;
	f->cfg[at + 2] = (uint8_t)len;
	f->cfg[at + 3] = (uint8_t)type;
	f->cfg[at + 4] = 0;			/* BAR 0 */
	put(f->cfg, at + 8, off, 4);
	put(f->cfg, at + 12, size, 4);
}

static void queues_reset(struct virtio_pci *vp)
{
	memset(vp->q, 0, sizeof(vp->q));
	for (unsigned i = 0; i < vp->desc->nqueues; i++) {
		vp->q[i].size = vp->desc->queue_max;
		vp->q[i].msix_vector = VIRTIO_MSI_NO_VECTOR;
	}
}

/* Status 0: everything the driver set goes; MSI-X lives in PCI space and stays. */
static void device_reset(struct virtio_pci *vp)
{
	vp->dev.status = 0;
	vp->driver_features = 0;
	vp->dfselect = vp->gfselect = 0;
	vp->msix_config = VIRTIO_MSI_NO_VECTOR;
	vp->queue_select = 0;
	vp->isr = 0;
	vp->pending = 0;
	queues_reset(vp);
	if (vp->desc->reset)
		vp->desc->reset(vp);
}

int virtio_pci_init(struct virtio_pci *vp, const struct virtio_pci_desc *d, void *opaque,
		    struct pcicfg *p, unsigned slot, unsigned fn, const struct gmem *mem,
		    int (*inject_msi)(void *ctx, uint64_t addr, uint32_t data), void *msi_ctx)
{
	struct pci_func *f;
	uint32_t barmask = ~(VP_BAR_SIZE - 1);
	unsigned last;

	if (d->nqueues == 0 || d->nqueues > VIRTIO_PCI_MAX_QUEUES || d->cfg_len > VIRTIO_PCI_MAX_CFG ||
	    !d->queue_max || (d->queue_max & (d->queue_max - 1)) || d->queue_max > VIRTQ_MAX_SIZE)
		return -1;
	if (pcicfg_add(p, slot, fn, VIRTIO_PCI_VENDOR, (uint16_t)(VIRTIO_PCI_DEVICE_BASE + d->device_id),
		       d->class_code, 0))
		return -1;
	memset(vp->q, 0, sizeof(vp->q));
	memset(vp->msix, 0, sizeof(vp->msix));
	vp->desc = d;
	vp->opaque = opaque;
	vp->mem = mem;
	vp->inject_msi = inject_msi;
	vp->msi_ctx = msi_ctx;
	vp->features = d->features | (1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_F_INDIRECT_DESC) |
		       (1ULL << VIRTIO_F_EVENT_IDX);
	vp->generation = 0;
	vp->pba = 0;
	snprintf(vp->name, sizeof(vp->name), "%s %02x:%02x.%x", d->kind, 0, slot, fn);
	vp->dev.name = vp->name;
	for (unsigned i = 0; i < nvectors(vp); i++)
		vp->msix[i].ctrl = MSIX_ENTRY_MASKED;

	f = vp->func = &p->f[slot][fn];
	f->cfg[PCI_REVISION] = 1;		/* non-transitional */
	put(f->cfg, PCI_SUBSYS_VENDOR, VIRTIO_PCI_VENDOR, 2);
	put(f->cfg, PCI_SUBSYS_ID, 0x40 + d->device_id, 2);	/* 0x40 up: a modern device */
	f->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	f->cfg[PCI_CAP_PTR] = VP_CAP_MSIX;
	put(f->wmask, PCI_BAR0, barmask, 4);	/* sized by its mask; 32-bit, not prefetchable */

	f->cfg[VP_CAP_MSIX] = PCI_CAP_ID_MSIX;
	f->cfg[VP_CAP_MSIX + 1] = VP_CAP_COMMON;
	put(f->cfg, VP_CAP_MSIX + 2, nvectors(vp) - 1, 2);
	f->wmask[VP_CAP_MSIX + 3] = (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL) >> 8;
	put(f->cfg, VP_CAP_MSIX + 4, VP_MSIX_TABLE, 4);	/* BIR 0 */
	put(f->cfg, VP_CAP_MSIX + 8, VP_MSIX_PBA, 4);

	last = d->cfg_len ? VP_CAP_DEVCFG : VP_CAP_ISR;
	vndr_cap(f, VP_CAP_COMMON, VP_CAP_NOTIFY, 16, CAP_COMMON, VP_COMMON, VP_COMMON_LEN);
	vndr_cap(f, VP_CAP_NOTIFY, VP_CAP_ISR, 20, CAP_NOTIFY, VP_NOTIFY, d->nqueues * VP_NOTIFY_MULT);
	put(f->cfg, VP_CAP_NOTIFY + 16, VP_NOTIFY_MULT, 4);
	vndr_cap(f, VP_CAP_ISR, last == VP_CAP_ISR ? 0 : VP_CAP_DEVCFG, 16, CAP_ISR, VP_ISR, 1);
	if (d->cfg_len)
		vndr_cap(f, VP_CAP_DEVCFG, 0, 16, CAP_DEVICE, VP_DEVCFG, d->cfg_len);
	device_reset(vp);
	return 0;
}

static uint32_t bar_base(const struct virtio_pci *vp)
{
	return (uint32_t)get(vp->func->cfg, PCI_BAR0, 4) & ~0xFu;
}

bool virtio_pci_claims(const struct virtio_pci *vp, uint64_t gpa, unsigned size)
{
	uint32_t base = bar_base(vp);

	if (!(vp->func->cfg[PCI_COMMAND] & PCI_COMMAND_MEMORY) || !base)
		return false;
	return gpa >= base && gpa - base < VP_BAR_SIZE && size <= VP_BAR_SIZE - (gpa - base);
}

/* ---- interrupts ---- */

static uint16_t msix_ctrl(const struct virtio_pci *vp)
{
	return (uint16_t)get(vp->func->cfg, VP_CAP_MSIX + 2, 2);
}

static void msix_send(struct virtio_pci *vp, unsigned vec)
{
	const struct virtio_msix_entry *e = &vp->msix[vec];
	uint64_t addr = (uint64_t)e->addr_hi << 32 | e->addr_lo;

	vp->msis++;
	if (vp->inject_msi(vp->msi_ctx, addr, e->data))
		vp->msi_fail++;
}

static void raise_vector(struct virtio_pci *vp, uint16_t vec, uint8_t isr_bit)
{
	uint16_t ctrl = msix_ctrl(vp);

	if (!(ctrl & MSIX_CTRL_ENABLE)) {
		vp->isr |= isr_bit;		/* no INTx: only the ISR says it */
		vp->msi_lost++;
		return;
	}
	if (vec >= nvectors(vp)) {
		vp->msi_lost++;		/* the driver asked for no interrupt */
		return;
	}
	if ((ctrl & MSIX_CTRL_MASKALL) || (vp->msix[vec].ctrl & MSIX_ENTRY_MASKED)) {
		vp->pba |= 1u << vec;	/* sent when unmasked */
		return;
	}
	msix_send(vp, vec);
}

bool virtio_pci_msix_target(const struct virtio_pci *vp, uint16_t vec, uint64_t *addr, uint32_t *data)
{
	uint16_t ctrl = msix_ctrl(vp);

	if (!(ctrl & MSIX_CTRL_ENABLE) || (ctrl & MSIX_CTRL_MASKALL) || vec >= nvectors(vp) ||
	    (vp->msix[vec].ctrl & MSIX_ENTRY_MASKED))
		return false;
	*addr = (uint64_t)vp->msix[vec].addr_hi << 32 | vp->msix[vec].addr_lo;
	*data = vp->msix[vec].data;
	return true;
}

uint64_t virtio_pci_notify_addr(const struct virtio_pci *vp, unsigned q)
{
	uint32_t base = bar_base(vp);

	if (!(vp->func->cfg[PCI_COMMAND] & PCI_COMMAND_MEMORY) || !base || q >= vp->desc->nqueues)
		return 0;
	return (uint64_t)base + VP_NOTIFY + q * VP_NOTIFY_MULT;
}

void virtio_pci_queue_done(struct virtio_pci *vp, unsigned qi, int n, bool pushed,
			   const char *qname)
{
	if (n < 0)
		virtio_pci_break(vp, qname, virtq_strerror(n));
	if (pushed && virtq_need_interrupt(&vp->q[qi].vq))
		virtio_pci_queue_irq(vp, qi);
}

void virtio_pci_queue_irq(struct virtio_pci *vp, unsigned q)
{
	if (q < vp->desc->nqueues)
		raise_vector(vp, vp->q[q].msix_vector, 1);
}

void virtio_pci_config_irq(struct virtio_pci *vp)
{
	raise_vector(vp, vp->msix_config, 2);
}

void virtio_pci_break(struct virtio_pci *vp, const char *what, const char *why)
{
	if (virtio_needs_reset(&vp->dev, what, why))
		virtio_pci_config_irq(vp);
}

static void msix_flush_pending(struct virtio_pci *vp)
{
	uint16_t ctrl = msix_ctrl(vp);

	if (!vp->pba || !(ctrl & MSIX_CTRL_ENABLE) || (ctrl & MSIX_CTRL_MASKALL))
		return;
	for (unsigned v = 0; v < nvectors(vp); v++)
		if ((vp->pba & (1u << v)) && !(vp->msix[v].ctrl & MSIX_ENTRY_MASKED)) {
			vp->pba &= ~(1u << v);
			msix_send(vp, v);
		}
}

void virtio_pci_run(struct virtio_pci *vp)
{
	msix_flush_pending(vp);
	while (vp->pending && virtio_dev_live(&vp->dev)) {
		unsigned q = (unsigned)__builtin_ctz(vp->pending);

		vp->pending &= ~(1u << q);
		if (vp->q[q].enabled)
			vp->desc->process(vp, q);
	}
}

void virtio_pci_kick(struct virtio_pci *vp, unsigned q)
{
	if (q >= vp->desc->nqueues)
		return;
	vp->kicks++;
	if (vp->q[q].enabled)
		vp->pending |= 1u << q;
}

bool virtio_pci_notify_gpa(const struct virtio_pci *vp, unsigned q, uint64_t *gpa, uint16_t *data)
{
	if (!vp->desc || q >= vp->desc->nqueues || !vp->q[q].enabled || !virtio_dev_live(&vp->dev) ||
	    !virtio_pci_claims(vp, bar_base(vp) + VP_NOTIFY + q * VP_NOTIFY_MULT, 2))
		return false;
	*gpa = bar_base(vp) + VP_NOTIFY + q * VP_NOTIFY_MULT;
	*data = (uint16_t)q;
	return true;
}

/* ---- the common configuration ---- */

static void common_snapshot(const struct virtio_pci *vp, uint8_t *b)
{
	const struct virtio_pci_queue *q = vp->queue_select < vp->desc->nqueues ? &vp->q[vp->queue_select] : NULL;

	memset(b, 0, VP_COMMON_LEN);
	put(b, C_DFSELECT, vp->dfselect, 4);
	put(b, C_DF, vp->dfselect < 2 ? (uint32_t)(vp->features >> (32 * vp->dfselect)) : 0, 4);
	put(b, C_GFSELECT, vp->gfselect, 4);
	put(b, C_GF, vp->gfselect < 2 ? (uint32_t)(vp->driver_features >> (32 * vp->gfselect)) : 0, 4);
	put(b, C_MSIX, vp->msix_config, 2);
	put(b, C_NUMQ, vp->desc->nqueues, 2);
	b[C_STATUS] = vp->dev.status;
	b[C_GEN] = vp->generation;
	put(b, C_QSEL, vp->queue_select, 2);
	if (!q) {				/* size 0: no such queue */
		put(b, C_QMSIX, VIRTIO_MSI_NO_VECTOR, 2);
		return;
	}
	put(b, C_QSIZE, q->size, 2);
	put(b, C_QMSIX, q->msix_vector, 2);
	put(b, C_QENABLE, q->enabled, 2);
	put(b, C_QNOTIFY, vp->queue_select, 2);
	put(b, C_QDESC, q->desc, 8);
	put(b, C_QDRIVER, q->driver, 8);
	put(b, C_QDEVICE, q->device, 8);
}

static void set_status(struct virtio_pci *vp, uint8_t v)
{
	uint8_t old = vp->dev.status;
	uint64_t must = 1ULL << VIRTIO_F_VERSION_1;

	if (v == 0) {
		device_reset(vp);
		return;
	}
	/* FEATURES_OK only for a subset of what is offered, with VERSION_1 (no legacy interface) */
	if ((v & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK) &&
	    ((vp->driver_features & ~vp->features) || !(vp->driver_features & must)))
		v &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
	/* NEEDS_RESET is the device's to set; only a reset clears it */
	v = (uint8_t)((v & ~VIRTIO_STATUS_NEEDS_RESET) | (old & VIRTIO_STATUS_NEEDS_RESET));
	vp->dev.status = v;
	/* buffers made available before DRIVER_OK are taken now */
	if ((v & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK))
		for (unsigned i = 0; i < vp->desc->nqueues; i++)
			if (vp->q[i].enabled)
				vp->pending |= 1u << i;
}

static uint16_t vector_or_none(const struct virtio_pci *vp, uint64_t v)
{
	return v < nvectors(vp) ? (uint16_t)v : VIRTIO_MSI_NO_VECTOR;
}

static void queue_enable(struct virtio_pci *vp, unsigned i)
{
	struct virtio_pci_queue *q = &vp->q[i];
	char what[16];
	int r;

	if (q->enabled)
		return;
	if (q->size > vp->desc->queue_max)
		r = VQ_ERR_SIZE;
	else
		r = virtq_init(&q->vq, vp->mem, q->size, q->desc, q->driver, q->device,
			       vp->driver_features);
	if (r) {
		snprintf(what, sizeof(what), "queue %u", i);
		virtio_pci_break(vp, what, virtq_strerror(r));
		return;
	}
	q->enabled = true;
}

static void field_write(struct virtio_pci *vp, unsigned off, uint64_t v)
{
	struct virtio_pci_queue *q = vp->queue_select < vp->desc->nqueues ? &vp->q[vp->queue_select] : NULL;
	/* the driver features are fixed once accepted; a live queue's setup too */
	bool feat_open = !(vp->dev.status & VIRTIO_STATUS_FEATURES_OK);
	bool q_open = q && !q->enabled;

	switch (off) {
	case C_DFSELECT: vp->dfselect = (uint32_t)v; break;
	case C_GFSELECT: vp->gfselect = (uint32_t)v; break;
	case C_GF:
		if (feat_open && vp->gfselect < 2) {
			unsigned sh = 32 * vp->gfselect;

			vp->driver_features = (vp->driver_features & ~(0xFFFFFFFFULL << sh)) | (v << sh);
		}
		break;
	case C_MSIX: vp->msix_config = vector_or_none(vp, v); break;
	case C_STATUS: set_status(vp, (uint8_t)v); break;
	case C_QSEL: vp->queue_select = (uint16_t)v; break;
	case C_QSIZE: if (q_open) q->size = (uint16_t)v; break;
	case C_QMSIX: if (q) q->msix_vector = vector_or_none(vp, v); break;
	case C_QENABLE: if (q && v == 1) queue_enable(vp, vp->queue_select); break;
	case C_QDESC: if (q_open) q->desc = (q->desc & ~0xFFFFFFFFULL) | v; break;
	case C_QDESC_HI: if (q_open) q->desc = (q->desc & 0xFFFFFFFFULL) | v << 32; break;
	case C_QDRIVER: if (q_open) q->driver = (q->driver & ~0xFFFFFFFFULL) | v; break;
	case C_QDRIVER_HI: if (q_open) q->driver = (q->driver & 0xFFFFFFFFULL) | v << 32; break;
	case C_QDEVICE: if (q_open) q->device = (q->device & ~0xFFFFFFFFULL) | v; break;
	case C_QDEVICE_HI: if (q_open) q->device = (q->device & 0xFFFFFFFFULL) | v << 32; break;
	default: break;			/* read-only */
	}
}

static void common_write(struct virtio_pci *vp, unsigned off, unsigned size, uint64_t v)
{
	uint8_t b[VP_COMMON_LEN];

	common_snapshot(vp, b);
	put(b, off, v, size);
	/* in address order: a wide write that also selects a queue selects it first for what follows */
	for (unsigned i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		unsigned fo = fields[i].off, fl = fields[i].len;

		if (fo < off + size && off < fo + fl)
			field_write(vp, fo, get(b, fo, fl));
	}
}

/* ---- the BAR ---- */

static uint64_t msix_read(struct virtio_pci *vp, unsigned off, unsigned size)
{
	uint8_t b[16 * (VIRTIO_PCI_MAX_QUEUES + 1)];
	unsigned n = nvectors(vp) * 16;

	if (off >= VP_MSIX_PBA) {
		off -= VP_MSIX_PBA;
		return off + size <= 8 ? ((uint64_t)vp->pba >> (8 * off)) & (size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1) : 0;
	}
	off -= VP_MSIX_TABLE;
	if (off + size > n)
		return 0;
	for (unsigned i = 0; i < nvectors(vp); i++) {
		put(b, 16 * i, vp->msix[i].addr_lo, 4);
		put(b, 16 * i + 4, vp->msix[i].addr_hi, 4);
		put(b, 16 * i + 8, vp->msix[i].data, 4);
		put(b, 16 * i + 12, vp->msix[i].ctrl, 4);
	}
	return get(b, off, size);
}

/* The spec has the driver write table entries a dword or a qword at a time. */
static void msix_write(struct virtio_pci *vp, unsigned off, unsigned size, uint64_t v)
{
	off -= VP_MSIX_TABLE;
	if ((size != 4 && size != 8) || (off & 3) || off + size > nvectors(vp) * 16)
		return;
	for (unsigned done = 0; done < size; done += 4, off += 4, v >>= 32) {
		struct virtio_msix_entry *e = &vp->msix[off / 16];
		uint32_t d = (uint32_t)v;

		switch (off % 16) {
		case 0: e->addr_lo = d; break;
		case 4: e->addr_hi = d; break;
		case 8: e->data = d; break;
		case 12: e->ctrl = d & MSIX_ENTRY_MASKED; break;
		}
	}
	msix_flush_pending(vp);
}

uint64_t virtio_pci_read(struct virtio_pci *vp, uint64_t gpa, unsigned size)
{
	unsigned off = (unsigned)(gpa - bar_base(vp));
	uint8_t b[VP_COMMON_LEN];
	uint64_t v;

	if (size == 0 || size > 8)
		return ~0ULL;
	if (off < VP_COMMON + VP_COMMON_LEN && off + size <= VP_COMMON + VP_COMMON_LEN) {
		common_snapshot(vp, b);
		return get(b, off - VP_COMMON, size);
	}
	if (off == VP_ISR) {			/* reading clears it */
		v = vp->isr;
		vp->isr = 0;
		return v;
	}
	if (off >= VP_DEVCFG && off + size <= VP_DEVCFG + vp->desc->cfg_len)
		return get(vp->cfg, off - VP_DEVCFG, size);
	if (off >= VP_MSIX_TABLE && off < VP_MSIX_PBA + 0x1000)
		return msix_read(vp, off, size);
	return 0;				/* inside the BAR, nothing there */
}

void virtio_pci_write(struct virtio_pci *vp, uint64_t gpa, unsigned size, uint64_t v)
{
	unsigned off = (unsigned)(gpa - bar_base(vp));

	if (size == 0 || size > 8)
		return;
	if (off < VP_COMMON + VP_COMMON_LEN && off + size <= VP_COMMON + VP_COMMON_LEN) {
		common_write(vp, off - VP_COMMON, size, v);
	} else if (off >= VP_NOTIFY && off < VP_NOTIFY + vp->desc->nqueues * VP_NOTIFY_MULT) {
		/* the queue is the one whose notify address was written (no NOTIFICATION_DATA) */
		virtio_pci_kick(vp, (off - VP_NOTIFY) / VP_NOTIFY_MULT);
	} else if (off >= VP_MSIX_TABLE && off < VP_MSIX_PBA) {
		msix_write(vp, off, size, v);
	}
	/* device configuration: nothing writable offered; ISR and PBA are read-only */
}
