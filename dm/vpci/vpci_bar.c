/*
 * Virtual BARs of a passthrough vdev: sizing, relocation checks, and the
 * EPT mappings (with holes trapped for the MSI-X table/PBA pages) that let
 * the guest reach the physical BAR without exits.
 *
 * The physical BARs never move: a BAR write only changes where the guest
 * sees the physical range. Memory BARs are at least a page to the guest
 * so that every placement it chooses can be mapped by EPT.
 */
#include "vpci_internal.h"

#define BDF_FMT "%02x:%02x.%u"
#define BDF_ARGS(b) PCI_BUS(b), PCI_DEV(b), PCI_FN(b)

static bool is_mem(const struct vpci_bar *b)
{
	return b->type == PCI_BAR_MEM32 || b->type == PCI_BAR_MEM64;
}

/* The logical BAR register idx belongs to, and which dword of it (0/1). */
static struct vpci_bar *bar_of(struct vpci_vdev *d, unsigned idx, unsigned *half)
{
	*half = 0;
	if (idx >= PCI_BAR_MAX)
		return NULL;
	if (d->bar[idx].type == PCI_BAR_MEM64_HI) {
		*half = 1;
		return &d->bar[idx - 1];
	}
	return &d->bar[idx];
}

static u32 type_bits(const struct vpci_bar *b)
{
	if (b->type == PCI_BAR_IO)
		return PCI_BAR_SPACE_IO;
	return (b->type == PCI_BAR_MEM64 ? PCI_BAR_MEM_TYPE_64 : 0) |
	       (b->prefetch ? PCI_BAR_MEM_PREFETCH : 0);
}

/* NULL if base is an acceptable guest base for bar b of d, else why not. */
static const char *place_check(struct vpci_vdev *d, const struct vpci_bar *b, u64 base)
{
	struct vpci *vp = d->vpci;
	bool in_window = false;
	unsigned i, j;

	if (!IS_ALIGNED(base, b->size))
		return "not aligned to the BAR size";
	if (base + b->size < base || (b->type == PCI_BAR_MEM32 && base + b->size > BIT(32)))
		return "beyond the BAR's address range";
	for (i = 0; i < vp->nr_mmio; i++)
		if (base >= vp->mmio[i].base &&
		    base + b->size <= vp->mmio[i].base + vp->mmio[i].size)
			in_window = true;
	if (!in_window)
		return "outside the VM's MMIO window";
	if (vp->ops->ram_overlaps) {
		if (vp->ops->ram_overlaps(vp->ctx, base, b->size))
			return "overlaps the VM's RAM";
	} else {
		for (i = 0; i < vp->nr_ram; i++)
			if (ranges_overlap(base, b->size, vp->ram[i].base, vp->ram[i].size))
				return "overlaps the VM's RAM";
	}
	for (i = 0; i < vp->nr_vdevs; i++) {
		for (j = 0; j < PCI_BAR_MAX; j++) {
			const struct vpci_bar *o = &vp->vdev[i].bar[j];

			if (o != b && is_mem(o) && o->gpa && ranges_overlap(base, b->size, o->gpa, o->size))
				return "overlaps another BAR of the VM";
		}
	}
	return NULL;
}

/* Trap holes of bar idx, sorted by offset; returns how many. */
static unsigned holes_of(const struct vpci_vdev *d, unsigned idx, u32 off[2], u32 len[2])
{
	unsigned n = 0;

	for (unsigned t = 0; t < d->msix.nr_traps; t++) {
		if (d->msix.trap[t].bar != idx)
			continue;
		off[n] = d->msix.trap[t].off;
		len[n] = d->msix.trap[t].size;
		n++;
	}
	if (n == 2 && off[1] < off[0]) {
		u32 o = off[0], l = len[0];

		off[0] = off[1]; len[0] = len[1];
		off[1] = o; len[1] = l;
	}
	return n;
}

/* Unmap the first `pieces` mapped pieces of a BAR (the parts between its trapped holes). */
static void unmap_pieces(struct vpci_vdev *d, unsigned idx, const u32 *off, const u32 *len,
			 unsigned n, unsigned pieces)
{
	struct vpci_bar *b = &d->bar[idx];
	u64 cur = 0;

	for (unsigned h = 0; h <= n && h < pieces; h++) {
		u64 end = h < n ? off[h] : b->size;

		if (end > cur)
			d->vpci->ops->unmap_mmio(d->vpci->ctx, b->gpa + cur, end - cur);
		if (h < n)
			cur = (u64)off[h] + len[h];
	}
}

static void bar_map(struct vpci_vdev *d, unsigned idx)
{
	struct vpci_bar *b = &d->bar[idx];
	const struct vpci_ops *ops = d->vpci->ops;
	void *ctx = d->vpci->ctx;
	u32 off[2], len[2];
	u64 cur = 0;
	unsigned n;

	if (b->mapped || !b->gpa || b->unmappable)
		return;
	if (b->type == PCI_BAR_IO) {
		if (ops->allow_pio)
			ops->allow_pio(ctx, (u16)b->gpa, (u16)b->size, true);
		b->mapped = true;
		return;
	}
	n = holes_of(d, idx, off, len);
	/* the pieces first, all or none: a later decode enable or move tries again */
	for (unsigned h = 0; h <= n; h++) {
		u64 end = h < n ? off[h] : b->size;

		if (end > cur && ops->map_mmio(ctx, b->gpa + cur, b->hpa + cur, end - cur, true)) {
			pr_err_ratelimited("vpci " BDF_FMT ": BAR%u: EPT map of 0x%lx failed: BAR not mapped\n",
			       BDF_ARGS(d->vbdf), idx, b->gpa + cur);
			unmap_pieces(d, idx, off, len, n, h);
			return;
		}
		if (h < n)
			cur = (u64)off[h] + len[h];
	}
	for (unsigned h = 0; h < n; h++)
		if (ops->trap_mmio(ctx, b->gpa + off[h], len[h], d))
			pr_err_ratelimited("vpci " BDF_FMT ": BAR%u: trapping 0x%lx failed\n",
			       BDF_ARGS(d->vbdf), idx, b->gpa + off[h]);
	b->mapped = true;
}

static void bar_unmap(struct vpci_vdev *d, unsigned idx)
{
	struct vpci_bar *b = &d->bar[idx];
	const struct vpci_ops *ops = d->vpci->ops;
	void *ctx = d->vpci->ctx;
	u32 off[2], len[2];
	unsigned n;

	if (!b->mapped)
		return;
	b->mapped = false;
	if (b->type == PCI_BAR_IO) {
		if (ops->allow_pio)
			ops->allow_pio(ctx, (u16)b->gpa, (u16)b->size, false);
		return;
	}
	n = holes_of(d, idx, off, len);
	unmap_pieces(d, idx, off, len, n, n + 1);
	for (unsigned h = 0; h < n; h++)
		ops->untrap_mmio(ctx, b->gpa + off[h], len[h]);
}

void vpci_bar_setup(struct vpci_vdev *d, const struct vpci_dev_config *dc)
{
	const struct pci_pdev *p = d->pdev;

	for (unsigned i = 0; i < PCI_BAR_MAX; i++) {
		const struct pci_bar_info *pb = &p->bar[i];
		struct vpci_bar *b = &d->bar[i];
		const char *why;
		u64 want;

		memset(b, 0, sizeof(*b));
		if (i >= p->nr_bars || pb->type == PCI_BAR_NONE || (pb->type != PCI_BAR_MEM64_HI && !pb->size))
			continue;
		b->type = pb->type;
		if (pb->type == PCI_BAR_MEM64_HI)
			continue;
		b->hpa = pb->base;
		b->prefetch = pb->prefetch;
		if (pb->type == PCI_BAR_IO) {
			b->size = pb->size;
			b->gpa = pb->base;	/* identity */
			continue;
		}
		b->size = MAX(pb->size, PAGE_SIZE);
		if (!IS_ALIGNED(b->hpa, PAGE_SIZE)) {
			pr_warn_ratelimited("vpci " BDF_FMT ": BAR%u at 0x%lx is not page aligned: not mapped\n",
				BDF_ARGS(d->vbdf), i, b->hpa);
			b->unmappable = true;
		}
		want = dc->vbar[i] ? dc->vbar[i] : b->hpa;
		why = place_check(d, b, want);
		if (!why)
			b->gpa = want;
		else if (dc->vbar[i])
			pr_warn_ratelimited("vpci " BDF_FMT ": BAR%u at 0x%lx %s: left unassigned\n",
				BDF_ARGS(d->vbdf), i, want, why);
	}
}

u32 vpci_bar_read(struct vpci_vdev *d, unsigned idx)
{
	unsigned half;
	struct vpci_bar *b = bar_of(d, idx, &half);
	u32 addr_mask, v;

	if (!b || b->type == PCI_BAR_NONE || !b->size)
		return 0;	/* unimplemented BARs are hardwired to 0 */
	addr_mask = b->type == PCI_BAR_IO ? PCI_BAR_IO_MASK : PCI_BAR_MEM_MASK;
	if (b->sizing & BIT(half)) {
		u64 mask = ~(b->size - 1);

		return half ? (u32)(mask >> 32) : (((u32)mask & addr_mask) | type_bits(b));
	}
	if (b->pending & BIT(half))
		v = b->pend[half];
	else
		v = half ? (u32)(b->gpa >> 32) : (u32)b->gpa;
	return half ? v : ((v & addr_mask) | type_bits(b));
}

static void refuse(struct vpci_vdev *d, unsigned idx, u64 base, const char *why)
{
	d->vpci->bar_refused++;
	pr_warn_ratelimited("vpci " BDF_FMT ": BAR%u moved to 0x%lx refused: %s\n",
		BDF_ARGS(d->vbdf), idx, base, why);
}

static void bar_move(struct vpci_vdev *d, unsigned idx, u64 base)
{
	struct vpci_bar *b = &d->bar[idx];
	bool was_mapped = b->mapped;

	bar_unmap(d, idx);	/* the old mapping goes first */
	b->gpa = base;
	if (was_mapped || (d->cmd & PCI_COMMAND_MEMORY))
		bar_map(d, idx);
}

void vpci_bar_write(struct vpci_vdev *d, unsigned idx, u32 val)
{
	unsigned half;
	struct vpci_bar *b = bar_of(d, idx, &half);
	unsigned lo_idx = half ? idx - 1 : idx;
	u32 lo, hi;
	u64 cand;
	const char *why;

	if (!b || b->type == PCI_BAR_NONE || !b->size)
		return;
	if (val == 0xFFFFFFFFu) {
		b->sizing |= BIT(half);
		b->pending &= ~BIT(half);
		return;
	}
	b->sizing &= ~BIT(half);
	if (b->type == PCI_BAR_IO) {
		if ((val & PCI_BAR_IO_MASK) != (u32)b->gpa)
			refuse(d, idx, val & PCI_BAR_IO_MASK, "I/O BARs stay at their physical ports");
		return;
	}
	lo = half == 0 ? (val & PCI_BAR_MEM_MASK) :
	     (b->pending & BIT(0)) ? b->pend[0] : (u32)b->gpa;
	hi = b->type != PCI_BAR_MEM64 ? 0 : half == 1 ? val :
	     (b->pending & BIT(1)) ? b->pend[1] : (u32)(b->gpa >> 32);
	cand = ((u64)hi << 32) | lo;
	if (cand == b->gpa) {
		b->pending = 0;
		return;
	}
	why = place_check(d, b, cand);
	if (!why) {
		b->pending = 0;
		bar_move(d, lo_idx, cand);
		return;
	}
	/* a 64-bit BAR moves one dword at a time: wait for the other half */
	if (b->type == PCI_BAR_MEM64 && !(d->cmd & PCI_COMMAND_MEMORY) &&
	    !(b->pending & BIT(half ^ 1))) {
		b->pending |= BIT(half);
		b->pend[half] = half ? val : lo;
		return;
	}
	b->pending = 0;
	refuse(d, lo_idx, cand, why);
}

void vpci_bar_decode(struct vpci_vdev *d, u16 old_cmd, u16 new_cmd)
{
	u16 on = new_cmd & ~old_cmd, off = old_cmd & ~new_cmd;

	for (unsigned i = 0; i < PCI_BAR_MAX; i++) {
		struct vpci_bar *b = &d->bar[i];
		u16 bit = b->type == PCI_BAR_IO ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;

		if (b->type == PCI_BAR_NONE || b->type == PCI_BAR_MEM64_HI || !b->size)
			continue;
		if (off & bit) {
			bar_unmap(d, i);
		} else if (on & bit) {
			if (b->pending) {
				u64 lo = (b->pending & BIT(0)) ? b->pend[0] : (u32)b->gpa;
				u64 hi = (b->pending & BIT(1)) ? b->pend[1] : b->gpa >> 32;

				b->pending = 0;
				refuse(d, i, (hi << 32) | lo, "incomplete when memory decode was enabled");
			}
			bar_map(d, i);
		}
	}
}

void vpci_bar_unmap_all(struct vpci_vdev *d)
{
	for (unsigned i = 0; i < PCI_BAR_MAX; i++)
		bar_unmap(d, i);
}

int vpci_bar_at(const struct vpci_vdev *d, u64 gpa, u64 *off)
{
	for (unsigned i = 0; i < PCI_BAR_MAX; i++) {
		const struct vpci_bar *b = &d->bar[i];

		if (is_mem(b) && b->mapped && gpa >= b->gpa && gpa - b->gpa < b->size) {
			*off = gpa - b->gpa;
			return (int)i;
		}
	}
	return -1;
}
