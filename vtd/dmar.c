/* DMAR table parsing and device-scope matching (pure: no hardware access). */
#include "lib.h"
#include "pci.h"
#include "vtd_dmar.h"

static u16 rd16(const u8 *p) { u16 v; memcpy(&v, p, 2); return v; }
static u32 rd32(const u8 *p) { u32 v; memcpy(&v, p, 4); return v; }
static u64 rd64(const u8 *p) { u64 v; memcpy(&v, p, 8); return v; }

/* Device scopes fill bytes [0, len) of a remapping structure's tail. */
static int parse_scopes(struct vtd_dmar_info *info, const u8 *s, size_t len,
			unsigned *first, unsigned *nr)
{
	size_t off = 0;

	*first = info->nr_scopes;
	*nr = 0;
	while (off < len) {
		unsigned stype, slen, npath;
		struct vtd_dev_scope *d;

		if (len - off < 6)
			return -EINVAL;		/* a scope header cut short */
		stype = s[off];
		slen = s[off + 1];
		if (slen < 6 || slen > len - off || (slen - 6) % 2)
			return -EINVAL;
		npath = (slen - 6) / 2;
		if (stype >= DMAR_SCOPE_PCI_ENDPOINT && stype <= DMAR_SCOPE_ACPI) {
			if (!npath)
				return -EINVAL;
			if (npath > VTD_MAX_PATH || info->nr_scopes >= VTD_MAX_SCOPES)
				return -E2BIG;
			d = &info->scopes[info->nr_scopes++];
			d->type = stype;
			d->enum_id = s[off + 4];
			d->start_bus = s[off + 5];
			d->path_len = npath;
			for (unsigned i = 0; i < npath; i++) {
				d->path[i].dev = s[off + 6 + 2 * i];
				d->path[i].fn = s[off + 7 + 2 * i];
				if (d->path[i].dev > 31 || d->path[i].fn > 7)
					return -EINVAL;
			}
			(*nr)++;
		}
		off += slen;
	}
	return 0;
}

static int parse_drhd(struct vtd_dmar_info *info, const u8 *p, size_t len)
{
	struct vtd_drhd *d;

	if (len < 16)
		return -EINVAL;
	if (info->nr_drhd >= VTD_MAX_UNITS)
		return -E2BIG;
	d = &info->drhd[info->nr_drhd];
	d->flags = p[4];
	d->size = p[5] & 0xf;
	d->segment = rd16(p + 6);
	d->reg_base = rd64(p + 8);
	if (!d->reg_base || !IS_ALIGNED(d->reg_base, PAGE_SIZE))
		return -EINVAL;
	if (d->flags & DRHD_FLAG_INCLUDE_PCI_ALL)
		for (unsigned i = 0; i < info->nr_drhd; i++)
			if ((info->drhd[i].flags & DRHD_FLAG_INCLUDE_PCI_ALL) &&
			    info->drhd[i].segment == d->segment)
				return -EINVAL;
	info->nr_drhd++;
	return parse_scopes(info, p + 16, len - 16, &d->first_scope, &d->nr_scopes);
}

static int parse_rmrr(struct vtd_dmar_info *info, const u8 *p, size_t len)
{
	struct vtd_rmrr *r;

	if (len < 24)
		return -EINVAL;
	if (info->nr_rmrr >= VTD_MAX_RMRR)
		return -E2BIG;
	r = &info->rmrr[info->nr_rmrr];
	r->segment = rd16(p + 6);
	r->base = rd64(p + 8);
	r->limit = rd64(p + 16);
	if (!IS_ALIGNED(r->base, PAGE_SIZE) || !IS_ALIGNED(r->limit + 1, PAGE_SIZE) ||
	    r->limit < r->base || (info->haw < 64 && r->limit >> info->haw))
		return -EINVAL;
	info->nr_rmrr++;
	return parse_scopes(info, p + 24, len - 24, &r->first_scope, &r->nr_scopes);
}

static int parse_body(const u8 *p, u32 len, struct vtd_dmar_info *out)
{
	size_t off = DMAR_HEADER_LEN;
	int ret;

	out->haw = p[36] + 1u;
	out->flags = p[37];
	while (off < len) {
		unsigned type, slen;

		if (len - off < 4)
			return -EINVAL;
		type = rd16(p + off);
		slen = rd16(p + off + 2);
		if (slen < 4 || slen > len - off)
			return -EINVAL;
		switch (type) {
		case DMAR_TYPE_DRHD:
			ret = parse_drhd(out, p + off, slen);
			break;
		case DMAR_TYPE_RMRR:
			ret = parse_rmrr(out, p + off, slen);
			break;
		case DMAR_TYPE_ATSR:
			out->nr_atsr++;		/* ATS is not used */
			ret = 0;
			break;
		default:
			out->nr_other++;
			ret = 0;
			break;
		}
		if (ret)
			return ret;
		off += slen;
	}
	return out->nr_drhd ? 0 : -EINVAL;
}

int vtd_dmar_parse(const void *table, size_t avail, struct vtd_dmar_info *out)
{
	const u8 *p = table;
	u8 sum = 0;
	u32 len;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!p || avail < DMAR_HEADER_LEN || memcmp(p, "DMAR", 4))
		return -EINVAL;
	len = rd32(p + 4);
	if (len < DMAR_HEADER_LEN || len > avail)
		return -EINVAL;
	for (u32 i = 0; i < len; i++)
		sum += p[i];
	if (sum)
		return -EINVAL;
	ret = parse_body(p, len, out);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}

int vtd_scope_resolve(const struct vtd_dev_scope *s, vtd_cfg_read_fn rd, struct vtd_scope_res *r)
{
	unsigned bus = s->start_bus;
	u16 bdf = 0;

	memset(r, 0, sizeof(*r));
	if (!s->path_len || s->path_len > VTD_MAX_PATH)
		return -ENODEV;
	for (unsigned i = 0; i < s->path_len; i++) {
		bdf = PCI_BDF(bus, s->path[i].dev & 0x1f, s->path[i].fn & 7);
		if (i + 1 == s->path_len)
			break;
		/* an intermediate hop must be a present PCI-to-PCI bridge */
		if ((rd(bdf, PCI_VENDOR_ID, 2) & 0xffff) == 0xffff ||
		    (rd(bdf, PCI_HEADER_TYPE, 1) & 0x7f) != 1)
			return -ENODEV;
		bus = rd(bdf, 0x19, 1) & 0xff;
	}
	r->bdf = bdf;
	if (s->type == DMAR_SCOPE_PCI_BRIDGE) {
		if ((rd(bdf, PCI_VENDOR_ID, 2) & 0xffff) == 0xffff ||
		    (rd(bdf, PCI_HEADER_TYPE, 1) & 0x7f) != 1)
			return -ENODEV;
		r->sec_bus = rd(bdf, 0x19, 1) & 0xff;
		r->sub_bus = rd(bdf, 0x1A, 1) & 0xff;
		if (r->sub_bus < r->sec_bus)
			return -ENODEV;
	}
	r->valid = true;
	return 0;
}

static bool scope_covers(const struct vtd_dev_scope *s, const struct vtd_scope_res *r,
			 u16 bdf, bool bridges)
{
	if (!r->valid)
		return false;
	if (!bridges)
		return s->type == DMAR_SCOPE_PCI_ENDPOINT && r->bdf == bdf;
	return s->type == DMAR_SCOPE_PCI_BRIDGE &&
	       (r->bdf == bdf || (PCI_BUS(bdf) >= r->sec_bus && PCI_BUS(bdf) <= r->sub_bus));
}

static bool scopes_cover(const struct vtd_dmar_info *info, const struct vtd_scope_res *res,
			 unsigned first, unsigned nr, u16 bdf, bool bridges)
{
	for (unsigned i = first; i < first + nr && i < info->nr_scopes; i++)
		if (scope_covers(&info->scopes[i], &res[i], bdf, bridges))
			return true;
	return false;
}

int vtd_dmar_unit_for(const struct vtd_dmar_info *info, const struct vtd_scope_res *res,
		      u16 segment, u16 bdf)
{
	for (int pass = 0; pass < 2; pass++)
		for (unsigned u = 0; u < info->nr_drhd; u++) {
			const struct vtd_drhd *d = &info->drhd[u];

			if (d->segment == segment && !(d->flags & DRHD_FLAG_INCLUDE_PCI_ALL) &&
			    scopes_cover(info, res, d->first_scope, d->nr_scopes, bdf, pass))
				return u;
		}
	for (unsigned u = 0; u < info->nr_drhd; u++)
		if (info->drhd[u].segment == segment &&
		    (info->drhd[u].flags & DRHD_FLAG_INCLUDE_PCI_ALL))
			return u;
	return -ENODEV;
}

bool vtd_rmrr_covers(const struct vtd_dmar_info *info, const struct vtd_scope_res *res,
		     unsigned idx, u16 segment, u16 bdf)
{
	const struct vtd_rmrr *r;

	if (idx >= info->nr_rmrr)
		return false;
	r = &info->rmrr[idx];
	return r->segment == segment &&
	       (scopes_cover(info, res, r->first_scope, r->nr_scopes, bdf, false) ||
		scopes_cover(info, res, r->first_scope, r->nr_scopes, bdf, true));
}

int vtd_dmar_ioapic_sid(const struct vtd_dmar_info *info, const struct vtd_scope_res *res,
			u8 ioapic_id, u16 *sid, unsigned *unit)
{
	for (unsigned u = 0; u < info->nr_drhd; u++) {
		const struct vtd_drhd *d = &info->drhd[u];

		for (unsigned i = d->first_scope; i < d->first_scope + d->nr_scopes; i++) {
			if (info->scopes[i].type != DMAR_SCOPE_IOAPIC ||
			    info->scopes[i].enum_id != ioapic_id || !res[i].valid)
				continue;
			*sid = res[i].bdf;
			*unit = u;
			return 0;
		}
	}
	return -ENODEV;
}
