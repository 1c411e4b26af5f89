/* Root and context tables of a unit; switching a device's context entry. */
#include "lib.h"
#include "mm.h"
#include "pci.h"
#include "vtd_ctx.h"
#include "vtd_hw.h"
#include "vtd_unit.h"

/* The bus's context table, created (and its root entry made present) on demand. */
static u64 *ctx_table(struct vtd_unit *u, u8 bus, bool create)
{
	u64 *t = u->ctx[bus];

	if (t || !create)
		return t;
	t = vtd_hw_alloc_page();
	if (!t)
		return NULL;
	vtd_unit_flush(u, t, PAGE_SIZE);
	u->root[2 * bus + 1] = 0;
	__atomic_store_n(&u->root[2 * bus], vtd_root_encode(virt_to_phys(t)), __ATOMIC_RELEASE);
	vtd_unit_flush(u, &u->root[2 * bus], 16);
	u->ctx[bus] = t;
	return t;
}

int vtd_ctx_get(const struct vtd_unit *u, u16 bdf, u64 e[2])
{
	const u64 *t = u->ctx[PCI_BUS(bdf)];

	e[0] = t ? t[2 * (bdf & 0xff)] : 0;
	e[1] = t ? t[2 * (bdf & 0xff) + 1] : 0;
	return vtd_ctx_present(e) ? 0 : -ENOENT;
}

/*
 * Point @bdf at domain @d (NULL: block it). A present entry is first made
 * not present and its context-cache entry and the old domain's IOTLB are
 * invalidated, so no request ever sees half of an old and half of a new
 * 128-bit entry. Writing a new entry over a not-present one needs only a
 * write-buffer flush, except in caching mode, where not-present entries
 * may be cached (tagged with domain 0) and must be invalidated too.
 */
int vtd_ctx_set(struct vtd_unit *u, u16 bdf, const struct vtd_domain *d)
{
	u64 *t = ctx_table(u, PCI_BUS(bdf), d != NULL), *e, n[2];
	int ret = 0;

	if (!t)
		return d ? -ENOMEM : 0;	/* no table for the bus: already blocked */
	e = &t[2 * (bdf & 0xff)];
	if (d) {
		vtd_ctx_encode(virt_to_phys(d->pt.root), d->pt.levels, d->did, n);
		if (e[0] == n[0] && e[1] == n[1])
			return 0;
	}
	if (e[0] & VTD_CTX_P) {
		u16 old = VTD_CTX_DID(e[1]);

		__atomic_store_n(&e[0], 0, __ATOMIC_RELEASE);
		vtd_unit_flush(u, e, 16);
		ret = vtd_inv_context(u, VTD_INV_DEVICE, old, bdf);
		if (!ret)
			ret = vtd_inv_iotlb(u, VTD_INV_DOMAIN, old, 0, 0);
		if (ret)
			return ret;
	}
	if (!d)
		return 0;
	e[1] = n[1];
	__atomic_store_n(&e[0], n[0], __ATOMIC_RELEASE);	/* P last */
	vtd_unit_flush(u, e, 16);
	if (u->caps.cm) {
		ret = vtd_inv_context(u, VTD_INV_DEVICE, 0, bdf);
		if (!ret)
			ret = vtd_inv_iotlb(u, VTD_INV_DOMAIN, d->did, 0, 0);
	} else {
		vtd_write_buffer_flush(u);
	}
	return ret;
}
