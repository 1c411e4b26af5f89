/*
 * libFuzzer: the DMAR parser (vtd/dmar.c) on any table, then scope
 * resolution over a fuzzed PCI topology and the lookups the hypervisor
 * makes with the result (unit for a device, RMRR coverage, IOAPIC ids).
 * Input: a flags byte (bit 0: make the checksum right, bit 1: the signature
 * "DMAR", so most inputs reach the structures), a topology seed, then the
 * table. The table is a heap block of exactly its size: the parser promises
 * to read nothing outside [table, table + avail).
 * Properties: the documented return values; on error the result is all
 * zero; on success every count is within its array and every unit's and
 * RMRR's scopes are inside the scope array; lookups return units that exist.
 */
#include "fuzz_check.h"
#include "vtd_dmar.h"
#include "pci.h"
#include "errno.h"

static u8 topo[256];	/* per bus: a bitmap of devices that are bridges, and their buses */

/* Config space of a made-up machine: device d on bus b is a bridge when topo says so. */
static u32 cfg_read(u16 bdf, u16 off, unsigned size)
{
	u8 bus = (u8)(bdf >> 8), dev = (bdf >> 3) & 31, t = topo[bus];

	FUZZ_CHECK(size == 1 || size == 2 || size == 4);
	if (!(t & (1u << (dev & 7))))
		return 0xffffffffu >> (32 - 8 * size);		/* nothing there */
	switch (off) {
	case PCI_VENDOR_ID: return 0x8086;
	case PCI_HEADER_TYPE: return (t >> 7) ? 1 : 0;	/* a bridge, or not */
	case 0x19: return (u8)(bus + 1 + dev);		/* secondary bus */
	case 0x1A: return (u8)(bus + 1 + dev + (t & 7));	/* subordinate bus */
	default: return 0;
	}
}

static void check_info(const struct vtd_dmar_info *in)
{
	FUZZ_CHECK(in->nr_drhd >= 1 && in->nr_drhd <= VTD_MAX_UNITS);
	FUZZ_CHECK(in->nr_rmrr <= VTD_MAX_RMRR && in->nr_scopes <= VTD_MAX_SCOPES);
	for (unsigned i = 0; i < in->nr_drhd; i++)
		FUZZ_CHECK(in->drhd[i].first_scope + in->drhd[i].nr_scopes <= in->nr_scopes);
	for (unsigned i = 0; i < in->nr_rmrr; i++) {
		FUZZ_CHECK(in->rmrr[i].first_scope + in->rmrr[i].nr_scopes <= in->nr_scopes);
		FUZZ_CHECK(in->rmrr[i].base <= in->rmrr[i].limit);
	}
	for (unsigned i = 0; i < in->nr_scopes; i++)
		FUZZ_CHECK(in->scopes[i].path_len <= VTD_MAX_PATH);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct vtd_dmar_info info, zero;
	static struct vtd_scope_res res[VTD_MAX_SCOPES];
	struct fuzz_in in = { data, len };
	u8 flags;
	u8 *t;
	int r;

	if (len < 3)
		return 0;
	flags = (u8)fuzz_take(&in, 1);
	for (unsigned b = 0; b < ARRAY_SIZE(topo); b++)
		topo[b] = (u8)(b * 0x9d + data[1]);
	len = in.left - 1;
	t = malloc(len ? len : 1);
	memcpy(t, in.p + 1, len);
	if ((flags & 2) && len >= 4)
		memcpy(t, "DMAR", 4);
	if ((flags & 1) && len >= 10) {
		u32 hl;
		u8 sum = 0;

		memcpy(&hl, t + 4, 4);
		t[9] = 0;
		for (size_t i = 0; i < MIN((size_t)hl, len); i++)
			sum = (u8)(sum + t[i]);
		t[9] = (u8)-sum;
	}

	r = vtd_dmar_parse(t, len, &info);
	free(t);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -E2BIG);
	if (r) {
		FUZZ_CHECK(memcmp(&info, &zero, sizeof(info)) == 0);
		return 0;
	}
	check_info(&info);
	for (unsigned i = 0; i < info.nr_scopes; i++) {
		r = vtd_scope_resolve(&info.scopes[i], cfg_read, &res[i]);
		FUZZ_CHECK(r == 0 || r == -ENODEV);
		FUZZ_CHECK((r == 0) == res[i].valid);
	}
	for (unsigned k = 0; k < 64; k++) {	/* devices on the first buses, segments 0 and 1 */
		u16 bdf = (u16)(k * 0x47), seg = k & 1;
		u16 sid;
		unsigned unit;

		r = vtd_dmar_unit_for(&info, res, seg, bdf);
		FUZZ_CHECK(r == -ENODEV || (r >= 0 && (unsigned)r < info.nr_drhd));
		for (unsigned i = 0; i < info.nr_rmrr; i++)
			vtd_rmrr_covers(&info, res, i, seg, bdf);
		r = vtd_dmar_ioapic_sid(&info, res, (u8)k, &sid, &unit);
		FUZZ_CHECK(r == -ENODEV || (r == 0 && unit < info.nr_drhd));
	}
	return 0;
}
