/* Domains (one per VM) and the devices in them. */
#include "lib.h"
#include "pci.h"
#include "vm_config.h"
#include "vtd_ctx.h"
#include "vtd_hw.h"
#include "vtd_unit.h"

struct vtd_state vtd_sys;
static spinlock_t domain_lock = SPINLOCK_INIT;

static void *pt_alloc(void *ctx)
{
	(void)ctx;
	return vtd_hw_alloc_page();
}

/* Table trees are shared by all units: flush when any of them is not coherent. */
static void pt_flush(void *ctx, const void *p, size_t len)
{
	(void)ctx;
	if (vtd_sys.need_clflush)
		vtd_hw_clflush(p, len);
}

static void pt_free(void *ctx, void *p)
{
	(void)ctx;
	vtd_hw_free_page(p);
}

static const struct vtd_pt_ops pt_ops = { .alloc_page = pt_alloc, .flush = pt_flush,
					  .free_page = pt_free };

static unsigned dom_idx(const struct vtd_domain *d) { return d - vtd_sys.domains; }

struct vtd_domain *vtd_domain_create(const char *name)
{
	struct vtd_domain *d = NULL;

	if (!vtd_sys.active)
		return NULL;
	spin_lock(&domain_lock);
	/* DID i + 1: DID 0 is reserved in caching mode, so it is never used */
	for (unsigned i = 0; i < VTD_MAX_DOMAINS && i + 1 < vtd_sys.max_did; i++) {
		if (vtd_sys.domains[i].used)
			continue;
		d = &vtd_sys.domains[i];
		if (vtd_pt_init(&d->pt, vtd_sys.levels, vtd_sys.aw_bits, vtd_sys.dmar.haw,
				vtd_sys.big_2m, vtd_sys.big_1g, &pt_ops)) {
			d = NULL;
			break;
		}
		d->used = true;
		d->did = i + 1;
		d->nr_devices = 0;
		snprintf(d->name, sizeof(d->name), "%s", name ? name : "");
		break;
	}
	spin_unlock(&domain_lock);
	return d;
}

/*
 * A post-launched VM is gone: its domain (no device left in it) drops its
 * tables, and every unit forgets the DID's translations before it is reused.
 */
int vtd_domain_destroy(struct vtd_domain *d)
{
	int ret = 0;

	if (!d || !d->used)
		return -EINVAL;
	spin_lock(&domain_lock);
	if (d->nr_devices) {
		spin_unlock(&domain_lock);
		return -EBUSY;
	}
	for (unsigned i = 0; i < vtd_sys.nr_units; i++)
		ret = vtd_inv_iotlb(&vtd_sys.units[i], VTD_INV_DOMAIN, d->did, 0, 0) ?: ret;
	/* a unit that may still cache its translations keeps the tables and the DID: leak them */
	if (!ret) {
		vtd_pt_destroy(&d->pt);
		d->used = false;
	}
	spin_unlock(&domain_lock);
	return ret;
}

u16 vtd_domain_id(const struct vtd_domain *d)
{
	return d->did;
}

/*
 * After a table change: units that hold the domain drop stale IOTLB
 * entries. New mappings need that only in caching mode (not-present
 * entries may be cached); elsewhere a write-buffer flush suffices.
 */
static int domain_sync(struct vtd_domain *d, u64 iova, u64 size, bool removed)
{
	int ret = 0;

	for (unsigned i = 0; i < vtd_sys.nr_units; i++) {
		struct vtd_unit *u = &vtd_sys.units[i];

		if (!u->dom_refs[dom_idx(d)])
			continue;
		if (removed || u->caps.cm)
			ret = vtd_inv_iotlb_range(u, d->did, iova, size) ?: ret;
		else
			vtd_write_buffer_flush(u);
	}
	return ret;
}

static int domain_map_locked(struct vtd_domain *d, u64 iova, u64 hpa, u64 size, unsigned perm)
{
	int ret = vtd_pt_map(&d->pt, iova, hpa, size, perm);

	return ret ? ret : domain_sync(d, iova, size, false);
}

int vtd_domain_map(struct vtd_domain *d, u64 iova, u64 hpa, u64 size, unsigned perm)
{
	int ret;

	spin_lock(&domain_lock);
	ret = domain_map_locked(d, iova, hpa, size, perm);
	spin_unlock(&domain_lock);
	return ret;
}

int vtd_domain_unmap(struct vtd_domain *d, u64 iova, u64 size)
{
	int ret, ret2;

	spin_lock(&domain_lock);
	ret = vtd_pt_unmap(&d->pt, iova, size);
	ret2 = ret == -EINVAL ? 0 : domain_sync(d, iova, size, true);	/* also after a partial unmap */
	spin_unlock(&domain_lock);
	return ret ?: ret2;
}

int vtd_domain_translate(const struct vtd_domain *d, u64 iova, u64 *hpa, unsigned *perm)
{
	return vtd_pt_lookup(&d->pt, iova, hpa, perm, NULL);
}

int vtd_domain_map_vm(struct vtd_domain *d, const struct vm_config *vc)
{
	for (unsigned i = 0; i < vc->nr_mem && i < CONFIG_MAX_MEM_RANGES; i++) {
		int ret = vtd_domain_map(d, vc->mem[i].gpa, vc->mem[i].hpa, vc->mem[i].size,
					 VTD_PERM_RW);

		if (ret)
			return ret;
	}
	return 0;
}

static struct vtd_unit *unit_for(u16 bdf)
{
	int i = vtd_dmar_unit_for(&vtd_sys.dmar, vtd_sys.res, 0, bdf);

	return i < 0 || (unsigned)i >= vtd_sys.nr_units ? NULL : &vtd_sys.units[i];
}

/* Identity-map one RMRR into @d; pages already mapped the same way are fine. */
static int map_rmrr(struct vtd_domain *d, u64 base, u64 limit)
{
	int ret = domain_map_locked(d, base, base, limit + 1 - base, VTD_PERM_RW);

	if (ret != -EEXIST)
		return ret;
	for (u64 a = base; a < limit; a += PAGE_SIZE) {
		u64 hpa;

		if (!vtd_pt_lookup(&d->pt, a, &hpa, NULL, NULL)) {
			if (hpa != a)
				return -EBUSY;
			continue;
		}
		ret = domain_map_locked(d, a, a, PAGE_SIZE, VTD_PERM_RW);
		if (ret)
			return ret;
	}
	return 0;
}

static struct vtd_domain *domain_of_did(u16 did)
{
	return did && did <= VTD_MAX_DOMAINS && vtd_sys.domains[did - 1].used ?
	       &vtd_sys.domains[did - 1] : NULL;
}

static struct vtd_domain *current_domain(const struct vtd_unit *u, u16 bdf)
{
	u64 e[2];

	return vtd_ctx_get(u, bdf, e) ? NULL : domain_of_did(VTD_CTX_DID(e[1]));
}

/* Switch @bdf to @d (NULL: block) and keep the per-unit domain counts right. */
static int device_switch(struct vtd_unit *u, u16 bdf, struct vtd_domain *d)
{
	struct vtd_domain *old = current_domain(u, bdf);
	int ret = vtd_ctx_set(u, bdf, d);
	struct vtd_domain *now = current_domain(u, bdf);

	if (old != now) {
		if (old) {
			old->nr_devices--;
			u->dom_refs[dom_idx(old)]--;
		}
		if (now) {
			now->nr_devices++;
			u->dom_refs[dom_idx(now)]++;
		}
	}
	return ret;
}

int vtd_device_assign(struct vtd_domain *d, u16 bdf)
{
	struct vtd_unit *u = unit_for(bdf);
	int ret = 0;

	if (!vtd_sys.active || !d || !d->used)
		return -EINVAL;
	if (!u)
		return -ENODEV;
	spin_lock(&domain_lock);
	for (unsigned i = 0; i < vtd_sys.dmar.nr_rmrr && !ret; i++)
		if (vtd_rmrr_covers(&vtd_sys.dmar, vtd_sys.res, i, 0, bdf))
			ret = map_rmrr(d, vtd_sys.dmar.rmrr[i].base, vtd_sys.dmar.rmrr[i].limit);
	if (!ret)
		ret = device_switch(u, bdf, d);
	spin_unlock(&domain_lock);
	if (ret)
		pr_err("VT-d: %02x:%02x.%u into domain %u (%s) failed: %d\n", PCI_BUS(bdf),
		       PCI_DEV(bdf), PCI_FN(bdf), d->did, d->name, ret);
	return ret;
}

int vtd_device_block(u16 bdf)
{
	struct vtd_unit *u = unit_for(bdf);
	int ret;

	if (!vtd_sys.active)
		return -EINVAL;
	if (!u)
		return -ENODEV;
	spin_lock(&domain_lock);
	ret = device_switch(u, bdf, NULL);
	spin_unlock(&domain_lock);
	return ret;
}

struct vtd_domain *vtd_device_domain(u16 bdf)
{
	struct vtd_unit *u = unit_for(bdf);

	return u ? current_domain(u, bdf) : NULL;
}
