/* The live DMAR against the board XML's IOMMU section (pure). */
#include "lib.h"
#include "pci.h"
#include "vm_config.h"
#include "vtd_dmar.h"

struct xc {
	vtd_report_fn report;
	void *ctx;
	unsigned n;
};

static void __attribute__((format(printf, 2, 3))) mismatch(struct xc *x, const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	x->n++;
	if (x->report)
		x->report(x->ctx, buf);
}

static bool same_scope(const struct vtd_dev_scope *s, const struct vtd_scope_res *r,
		       const struct board_dev_scope *b)
{
	if (s->type != b->type || r->bdf != b->bdf)
		return false;
	return s->type == DMAR_SCOPE_PCI_ENDPOINT || s->type == DMAR_SCOPE_PCI_BRIDGE ||
	       s->enum_id == b->enum_id;
}

static void check_scopes(struct xc *x, const struct vtd_dmar_info *info,
			 const struct vtd_scope_res *res, const struct vtd_drhd *d,
			 const struct board_iommu *bi)
{
	for (unsigned i = d->first_scope; i < d->first_scope + d->nr_scopes; i++) {
		bool found = false;

		if (!res[i].valid)
			continue;
		for (unsigned k = 0; k < bi->nr_scopes && !found; k++)
			found = same_scope(&info->scopes[i], &res[i], &bi->scopes[k]);
		if (!found)
			mismatch(x, "unit 0x%lx: DMAR scope type %u %02x:%02x.%u not in the board",
				 (unsigned long)d->reg_base, info->scopes[i].type, PCI_BUS(res[i].bdf),
				 PCI_DEV(res[i].bdf), PCI_FN(res[i].bdf));
	}
	for (unsigned k = 0; k < bi->nr_scopes; k++) {
		bool found = false;

		for (unsigned i = d->first_scope; i < d->first_scope + d->nr_scopes && !found; i++)
			found = !res[i].valid || same_scope(&info->scopes[i], &res[i], &bi->scopes[k]);
		if (!found)
			mismatch(x, "unit 0x%lx: board scope type %u %02x:%02x.%u not in the DMAR",
				 (unsigned long)d->reg_base, bi->scopes[k].type,
				 PCI_BUS(bi->scopes[k].bdf), PCI_DEV(bi->scopes[k].bdf),
				 PCI_FN(bi->scopes[k].bdf));
	}
}

unsigned vtd_dmar_crosscheck(const struct vtd_dmar_info *info, const struct vtd_scope_res *res,
			     const struct board_config *b, vtd_report_fn report, void *ctx)
{
	struct xc x = { report, ctx, 0 };

	if (!b)
		return 0;
	if (!b->iommu_addr_width) {
		mismatch(&x, "the board has no DMAR, the machine has one");
		return x.n;
	}
	if (b->iommu_addr_width != info->haw)
		mismatch(&x, "host address width: board %u, DMAR %u", b->iommu_addr_width, info->haw);
	if (b->iommu_intr_remap != !!(info->flags & DMAR_FLAG_INTR_REMAP))
		mismatch(&x, "interrupt remapping flag: board %u, DMAR %u", b->iommu_intr_remap,
			 !!(info->flags & DMAR_FLAG_INTR_REMAP));
	for (unsigned u = 0; u < info->nr_drhd; u++) {
		const struct vtd_drhd *d = &info->drhd[u];
		const struct board_iommu *bi = NULL;

		for (unsigned k = 0; k < b->nr_iommus && !bi; k++)
			if (b->iommus[k].base == d->reg_base)
				bi = &b->iommus[k];
		if (!bi) {
			mismatch(&x, "unit 0x%lx is not in the board", (unsigned long)d->reg_base);
			continue;
		}
		if (bi->segment != d->segment ||
		    bi->include_pci_all != !!(d->flags & DRHD_FLAG_INCLUDE_PCI_ALL))
			mismatch(&x, "unit 0x%lx: segment/INCLUDE_PCI_ALL differ", (unsigned long)d->reg_base);
		check_scopes(&x, info, res, d, bi);
	}
	for (unsigned k = 0; k < b->nr_iommus; k++) {
		bool found = false;

		for (unsigned u = 0; u < info->nr_drhd && !found; u++)
			found = info->drhd[u].reg_base == b->iommus[k].base;
		if (!found)
			mismatch(&x, "board unit 0x%lx is not in the DMAR", (unsigned long)b->iommus[k].base);
	}
	for (unsigned r = 0; r < info->nr_rmrr; r++) {
		const struct vtd_rmrr *m = &info->rmrr[r];
		bool found = false;

		for (unsigned k = 0; k < b->nr_rmrrs && !found; k++)
			found = b->rmrrs[k].base == m->base && b->rmrrs[k].size == m->limit + 1 - m->base;
		if (!found)
			mismatch(&x, "RMRR 0x%lx-0x%lx is not in the board", (unsigned long)m->base,
				 (unsigned long)m->limit);
	}
	if (b->nr_rmrrs != info->nr_rmrr)
		mismatch(&x, "RMRR count: board %u, DMAR %u", b->nr_rmrrs, info->nr_rmrr);
	return x.n;
}
