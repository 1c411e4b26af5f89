/*
 * Unit tests for boot (vtd_init with a fake DMAR), domains, context entries,
 * device moves with their invalidations, RMRRs and interrupt remapping
 * entries, against the unit model in test_vtd_fakehw.c (vtd/vtd.c,
 * vtd/domain.c, vtd/context.c, vtd/ir.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "pci.h"
#include "vm_config.h"
#include "vtd_ctx.h"
#include "test_vtd_fakehw.h"

#define DEV_A	PCI_BDF(0, 2, 0)	/* explicit scope of unit 0 */
#define DEV_B	PCI_BDF(2, 0, 0)	/* below bridge 00:1c.0, unit 0 */
#define DEV_C	PCI_BDF(0, 0x14, 0)	/* include-all unit 1, has an RMRR */
#define DEV_D	PCI_BDF(5, 0, 0)	/* include-all unit 1 */
#define RMRR_BASE 0x7c000000ULL
#define RMRR_LIMIT 0x7c00ffffULL

static u8 table[512];

static size_t put(size_t o, const void *p, size_t n) { memcpy(table + o, p, n); return o + n; }
static size_t put8(size_t o, u8 v) { return put(o, &v, 1); }
static size_t put16(size_t o, u16 v) { return put(o, &v, 2); }
static size_t put64(size_t o, u64 v) { return put(o, &v, 8); }

static size_t scope(size_t o, u8 type, u8 id, u8 bus, u8 dev, u8 fn)
{
	o = put8(o, type);
	o = put8(o, 8);
	o = put16(o, 0);
	o = put8(o, id);
	o = put8(o, bus);
	o = put8(o, dev);
	return put8(o, fn);
}

/* Two units (explicit + include-all), an IOAPIC, an RMRR for DEV_C. */
static void build_dmar(u8 flags, bool with_rmrr)
{
	size_t o, s;
	u32 len;
	u8 sum = 0;

	memset(table, 0, sizeof(table));
	memcpy(table, "DMAR", 4);
	table[8] = 1;
	table[36] = 38;
	table[37] = flags;
	o = DMAR_HEADER_LEN;
	s = o;						/* DRHD 0 */
	o = put16(o, DMAR_TYPE_DRHD);
	o = put16(o, 0);
	o = put8(o, 0);
	o = put8(o, 0);
	o = put16(o, 0);
	o = put64(o, FAKE_REG_BASE(0));
	o = scope(o, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 2, 0);
	o = scope(o, DMAR_SCOPE_PCI_BRIDGE, 0, 0, 0x1c, 0);
	put16(s + 2, o - s);
	s = o;						/* DRHD 1, include-all */
	o = put16(o, DMAR_TYPE_DRHD);
	o = put16(o, 0);
	o = put8(o, DRHD_FLAG_INCLUDE_PCI_ALL);
	o = put8(o, 0);
	o = put16(o, 0);
	o = put64(o, FAKE_REG_BASE(1));
	o = scope(o, DMAR_SCOPE_IOAPIC, 2, 0xf0, 0x1f, 0);
	put16(s + 2, o - s);
	if (with_rmrr) {
		s = o;
		o = put16(o, DMAR_TYPE_RMRR);
		o = put16(o, 0);
		o = put16(o, 0);
		o = put16(o, 0);
		o = put64(o, RMRR_BASE);
		o = put64(o, RMRR_LIMIT);
		o = scope(o, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 0x14, 0);
		put16(s + 2, o - s);
	}
	len = o;
	memcpy(table + 4, &len, 4);
	for (size_t i = 0; i < len; i++)
		sum += table[i];
	table[9] = -sum;
	fake_dmar = table;
}

static void machine(u64 cap0, u64 ecap0, u64 cap1, u64 ecap1)
{
	fake_reset();
	build_dmar(DMAR_FLAG_INTR_REMAP, true);
	fake_caps(0, cap0, ecap0);
	fake_caps(1, cap1, ecap1);
	fake_cfg_set(PCI_BDF(0, 0x1c, 0), PCI_VENDOR_ID, 0x8086);
	fake_cfg_set(PCI_BDF(0, 0x1c, 0), PCI_HEADER_TYPE, 0x81);
	fake_cfg_set(PCI_BDF(0, 0x1c, 0), 0x19, 2);
	fake_cfg_set(PCI_BDF(0, 0x1c, 0), 0x1A, 3);
}

#define QI_IR (FAKE_ECAP_QI | FAKE_ECAP_IR)

static int teardown(void **state)
{
	(void)state;
	fake_reset();
	return 0;
}

static const u64 *ctx_entry(unsigned unit, u16 bdf)
{
	const u64 *t = vtd_sys.units[unit].ctx[PCI_BUS(bdf)];

	assert_non_null(t);
	return t + 2 * (bdf & 0xff);
}

/* The level-1 entry for @iova (tables must exist). */
static u64 *pte(const struct vtd_domain *d, u64 iova)
{
	u64 *t = d->pt.root;

	for (unsigned l = d->pt.levels; l > 1; l--)
		t = (u64 *)(uintptr_t)(t[(iova >> VTD_LEVEL_SHIFT(l)) & 511] & VTD_PTE_ADDR);
	return &t[(iova >> 12) & 511];
}

static void before(const char *a, const char *b)
{
	int ia = fake_find(a, 0), ib = fake_find(b, 0);

	if (ia < 0 || ib < 0 || ia >= ib) {
		fake_dump_log();
		fail_msg("'%s' (%d) should precede '%s' (%d)", a, ia, b, ib);
	}
}

static void test_no_dmar(void **state)
{
	(void)state;
	fake_reset();
	assert_int_equal(vtd_init(NULL), -ENODEV);
	assert_false(vtd_active());
	assert_false(vtd_dmar_present());
	assert_null(vtd_domain_create("vm0"));
	assert_int_equal(vtd_device_block(DEV_A), -EINVAL);
	assert_null(vtd_device_domain(DEV_A));
	assert_int_equal(fake_nlog, 0);
}

static void test_bad_dmar(void **state)
{
	(void)state;
	machine(FAKE_CAP_BASE, QI_IR, FAKE_CAP_BASE, QI_IR);
	table[9] ^= 0x55;				/* checksum */
	assert_int_equal(vtd_init(NULL), -EINVAL);
	assert_true(vtd_dmar_present());
	assert_false(vtd_active());
	assert_int_equal(fake_nlog, 0);			/* no unit was touched */
	/* registers the hypervisor cannot reach */
	machine(FAKE_CAP_BASE, QI_IR, FAKE_CAP_BASE, QI_IR);
	memcpy(table + DMAR_HEADER_LEN + 8, &(u64){ 0x3fed90000ULL }, 8);
	table[9] = 0;
	{
		u8 sum = 0;
		u32 len;

		memcpy(&len, table + 4, 4);
		for (u32 i = 0; i < len; i++)
			sum += table[i];
		table[9] = -sum;
	}
	assert_int_equal(vtd_init(NULL), -ERANGE);
	assert_false(vtd_active());
}

static void test_init(void **state)
{
	(void)state;
	/* unit 1 has no 2M pages and only 3-level tables; unit 0 is not coherent */
	machine(FAKE_CAP_BASE, QI_IR, (FAKE_CAP_BASE & ~(BIT(34) | (4ULL << 8))), QI_IR | FAKE_ECAP_C);
	assert_int_equal(vtd_init(NULL), 0);
	assert_true(vtd_active());
	assert_int_equal(vtd_sys.nr_units, 2);
	assert_int_equal(vtd_sys.levels, 3);
	assert_false(vtd_sys.big_2m);
	assert_true(vtd_sys.need_clflush);
	assert_int_equal(vtd_sys.max_did, VTD_MAX_DOMAINS + 1);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(fake_reg32(i, VTD_REG_GSTS) & (VTD_GCMD_TE | VTD_GCMD_IRE | VTD_GCMD_QIE),
				 VTD_GCMD_TE | VTD_GCMD_IRE | VTD_GCMD_QIE);
	/* fault events go to the boot CPU's APIC id (the fake says 2) */
	assert_int_equal(fake_reg32(1, VTD_REG_FEADDR), 0xfee02000);
	assert_int_equal(fake_reg32(1, VTD_REG_FEDATA), VTD_FAULT_VECTOR);
	/* scopes were resolved through the bridge */
	assert_true(vtd_sys.res[1].valid);
	assert_int_equal(vtd_sys.res[1].sec_bus, 2);
}

static void test_init_board_differs(void **state)
{
	struct board_config b = { .name = "stale", .iommu_addr_width = 39 };

	(void)state;
	/* the DMAR is what the hardware does: a stale board is reported, not obeyed */
	machine(FAKE_CAP_BASE, QI_IR, FAKE_CAP_BASE, QI_IR);
	fake_board = &b;
	assert_int_equal(vtd_init(NULL), 0);
	assert_true(vtd_active());
	fake_reset();
	fake_board = &b;
	assert_int_equal(vtd_init(NULL), -ENODEV);
	assert_false(vtd_active());
}

static void test_init_ir_all_or_none(void **state)
{
	(void)state;
	machine(FAKE_CAP_BASE, QI_IR, FAKE_CAP_BASE, FAKE_ECAP_QI);
	assert_int_equal(vtd_init(NULL), 0);
	assert_false(fake_reg32(0, VTD_REG_GSTS) & VTD_GCMD_IRE);
	assert_false(fake_reg32(1, VTD_REG_GSTS) & VTD_GCMD_IRE);
	assert_true(fake_reg32(0, VTD_REG_GSTS) & VTD_GCMD_TE);
	/* and without the DMAR's INTR_REMAP flag */
	machine(FAKE_CAP_BASE, QI_IR, FAKE_CAP_BASE, QI_IR);
	build_dmar(0, true);
	assert_int_equal(vtd_init(NULL), 0);
	assert_false(fake_reg32(0, VTD_REG_GSTS) & VTD_GCMD_IRE);
	assert_int_equal(vtd_msi_setup(DEV_A, 0x40, 0, NULL, &(struct vtd_msi){ 0 }), -ENOTSUP);
}

static void test_init_failure_turns_all_off(void **state)
{
	(void)state;
	machine(FAKE_CAP_BASE, QI_IR, FAKE_CAP_BASE, QI_IR);
	fake_units[1].stuck = true;
	assert_int_equal(vtd_init(NULL), -ETIMEDOUT);
	assert_false(vtd_active());
	assert_false(fake_reg32(0, VTD_REG_GSTS) & VTD_GCMD_TE);	/* unit 0 turned back off */
	assert_false(fake_reg32(0, VTD_REG_GSTS) & VTD_GCMD_IRE);
	before("u0 te=1", "u0 te=0");
}

static void test_domain_ids(void **state)
{
	struct vtd_domain *d[VTD_MAX_DOMAINS];

	(void)state;
	/* ND 0: 16 domain ids, 0 never used */
	machine(FAKE_CAP_BASE & ~7ULL, QI_IR, FAKE_CAP_BASE, QI_IR);
	assert_int_equal(vtd_init(NULL), 0);
	assert_int_equal(vtd_sys.max_did, 16);
	for (unsigned i = 0; i < 15; i++) {
		d[i] = vtd_domain_create("vm");
		assert_non_null(d[i]);
		assert_int_equal(vtd_domain_id(d[i]), i + 1);
	}
	assert_null(vtd_domain_create("one too many"));
	assert_string_equal(d[0]->name, "vm");
	/* table memory runs out */
	machine(FAKE_CAP_BASE, QI_IR, FAKE_CAP_BASE, QI_IR);
	assert_int_equal(vtd_init(NULL), 0);
	fake_fail_alloc = 0;
	assert_null(vtd_domain_create("vm"));
}

/* A post-launched VM's domain goes away once its devices left; its DID comes back. */
static void test_destroy(void **state)
{
	struct vtd_domain *d, *again;
	unsigned before, built;

	(void)state;
	machine(FAKE_CAP_BASE, QI_IR, FAKE_CAP_BASE, QI_IR);
	assert_int_equal(vtd_init(NULL), 0);
	assert_int_equal(vtd_domain_destroy(NULL), -EINVAL);
	before = fake_pages;
	d = vtd_domain_create("post");
	assert_non_null(d);
	assert_int_equal(vtd_domain_map(d, 0x100000, 0x8000000, 0x200000, VTD_PERM_RW), 0);
	built = fake_pages - before;	/* the unit's context table comes next: not the domain's */
	assert_int_equal(vtd_device_assign(d, DEV_A), 0);
	assert_int_equal(vtd_domain_destroy(d), -EBUSY);	/* DEV_A is still in it */
	assert_true(d->used);
	assert_int_equal(vtd_device_block(DEV_A), 0);
	assert_int_equal(vtd_domain_destroy(d), 0);
	assert_false(d->used);
	assert_int_equal(fake_freed, built);	/* every table it built */
	assert_int_equal(vtd_domain_destroy(d), -EINVAL);	/* once */
	again = vtd_domain_create("next");
	assert_ptr_equal(again, d);
	assert_int_equal(vtd_domain_id(again), 1);
	assert_int_equal(vtd_domain_translate(again, 0x100000, NULL, NULL), -ENOENT);
}

static void test_assign(void **state)
{
	struct vtd_domain *d;
	const u64 *e;

	(void)state;
	machine(FAKE_CAP_BASE, QI_IR | FAKE_ECAP_C, FAKE_CAP_BASE, QI_IR | FAKE_ECAP_C);
	assert_int_equal(vtd_init(NULL), 0);
	d = vtd_domain_create("vm0");
	assert_non_null(d);
	assert_null(vtd_device_domain(DEV_A));
	fake_nlog = 0;
	assert_int_equal(vtd_device_assign(d, DEV_A), 0);
	e = ctx_entry(0, DEV_A);
	assert_int_equal(e[0], (u64)(uintptr_t)d->pt.root | VTD_CTX_P);	/* TT 0, FPD clear */
	assert_int_equal(e[1], (u64)(4 - 2) | ((u64)d->did << 8));	/* AW 48-bit, DID */
	assert_int_equal(vtd_sys.units[0].root[0],
			 (u64)(uintptr_t)vtd_sys.units[0].ctx[0] | VTD_ROOT_P);
	assert_int_equal(vtd_sys.units[0].root[1], 0);
	/* not present -> present without caching mode: no invalidation needed */
	assert_int_equal(fake_count("u0 qi"), 0);
	assert_int_equal(fake_count("u1"), 0);
	assert_ptr_equal(vtd_device_domain(DEV_A), d);
	assert_int_equal(d->nr_devices, 1);
	assert_int_equal(vtd_sys.units[0].dom_refs[d->did - 1], 1);
	/* coherent units: nothing flushed */
	assert_int_equal(fake_flushes, 0);
	/* again: nothing to do */
	fake_nlog = 0;
	assert_int_equal(vtd_device_assign(d, DEV_A), 0);
	assert_int_equal(fake_nlog, 0);
	assert_int_equal(d->nr_devices, 1);
	/* which unit: bridge scope, include-all */
	assert_int_equal(vtd_device_assign(d, DEV_B), 0);
	assert_true(ctx_entry(0, DEV_B)[0] & VTD_CTX_P);
	assert_int_equal(vtd_device_assign(d, DEV_D), 0);
	assert_true(ctx_entry(1, DEV_D)[0] & VTD_CTX_P);
	assert_null(vtd_sys.units[1].ctx[2]);
	assert_int_equal(vtd_sys.units[1].dom_refs[d->did - 1], 1);
	assert_int_equal(vtd_device_assign(NULL, DEV_A), -EINVAL);
}

static void test_assign_caching_mode(void **state)
{
	struct vtd_domain *d;

	(void)state;
	machine(FAKE_CAP_BASE | FAKE_CAP_CM, QI_IR, FAKE_CAP_BASE, QI_IR);
	assert_int_equal(vtd_init(NULL), 0);
	d = vtd_domain_create("vm0");
	fake_nlog = 0;
	assert_int_equal(vtd_device_assign(d, DEV_A), 0);
	/* a cached not-present entry is tagged with domain 0 */
	before("u0 qi cc g=3 did=0 sid=0010", "u0 qi iotlb g=2 did=1");
	assert_int_equal(fake_count("u0 qi"), 4);		/* two requests, two waits */
	/* new mappings must be invalidated too (page-selective) */
	fake_nlog = 0;
	assert_int_equal(vtd_domain_map(d, 0x200000, 0x1000000, 0x2000, VTD_PERM_RW), 0);
	assert_int_equal(fake_count("u0 qi iotlb g=3 did=1 addr=200000 am=1"), 1);
	assert_int_equal(fake_count("u1"), 0);			/* no device of d there */
}

static void test_move_and_block(void **state)
{
	struct vtd_domain *a, *b;
	const u64 *e;
	int i;

	(void)state;
	machine(FAKE_CAP_BASE, QI_IR, FAKE_CAP_BASE, QI_IR);
	assert_int_equal(vtd_init(NULL), 0);
	a = vtd_domain_create("a");
	b = vtd_domain_create("b");
	assert_int_equal(vtd_device_assign(a, DEV_A), 0);
	fake_nlog = 0;
	fake_flush_clear();
	assert_int_equal(vtd_device_assign(b, DEV_A), 0);
	/* the old entry goes away first, with its context-cache entry and domain a's IOTLB */
	assert_int_equal(fake_find("u0 qi cc g=3 did=1 sid=0010", 0), 0);
	i = fake_find("u0 qi iotlb g=2 did=1", 0);
	assert_true(i > 0);
	e = ctx_entry(0, DEV_A);
	assert_int_equal(VTD_CTX_DID(e[1]), b->did);
	assert_int_equal(e[0] & VTD_CTX_ADDR, (u64)(uintptr_t)b->pt.root);
	/* not coherent: the cleared entry was written back before it was invalidated */
	assert_true(fake_flushed_before(e, 16, 0));
	assert_true(fake_was_flushed(e, 16));
	assert_ptr_equal(vtd_device_domain(DEV_A), b);
	assert_int_equal(a->nr_devices, 0);
	assert_int_equal(b->nr_devices, 1);
	assert_int_equal(vtd_sys.units[0].dom_refs[a->did - 1], 0);
	/* unmapping in a no longer touches unit 0; in b it does */
	fake_nlog = 0;
	vtd_domain_map(a, 0, 0x1000000, 0x1000, VTD_PERM_RW);
	vtd_domain_unmap(a, 0, 0x1000);
	assert_int_equal(fake_count("u0 qi iotlb"), 0);
	vtd_domain_map(b, 0, 0x1000000, 0x1000, VTD_PERM_RW);
	vtd_domain_unmap(b, 0, 0x1000);
	assert_int_equal(fake_count("u0 qi iotlb g=3 did=2 addr=0 am=0"), 1);
	/* block: entry not present, invalidated with b's domain id */
	fake_nlog = 0;
	assert_int_equal(vtd_device_block(DEV_A), 0);
	assert_false(ctx_entry(0, DEV_A)[0] & VTD_CTX_P);
	before("u0 qi cc g=3 did=2 sid=0010", "u0 qi iotlb g=2 did=2");
	assert_null(vtd_device_domain(DEV_A));
	assert_int_equal(b->nr_devices, 0);
	/* blocking what was never assigned, on a bus without a table: nothing to do */
	fake_nlog = 0;
	assert_int_equal(vtd_device_block(PCI_BDF(7, 0, 0)), 0);
	assert_int_equal(fake_nlog, 0);
}

static void test_unmap_sync(void **state)
{
	struct vtd_domain *d;
	u64 hpa;

	(void)state;
	machine(FAKE_CAP_BASE, QI_IR, FAKE_CAP_BASE, QI_IR);
	assert_int_equal(vtd_init(NULL), 0);
	d = vtd_domain_create("vm0");
	assert_int_equal(vtd_domain_map(d, 0, 0x4000000, 0x400000, VTD_PERM_RW), 0);
	assert_int_equal(vtd_device_assign(d, DEV_A), 0);
	assert_int_equal(vtd_device_assign(d, DEV_D), 0);
	fake_nlog = 0;
	fake_flush_clear();
	assert_int_equal(vtd_domain_map(d, 0x800000, 0x8000000, 0x1000, VTD_PERM_R), 0);
	assert_int_equal(fake_count("u0 qi iotlb"), 0);		/* no caching mode */
	/* not coherent: the new leaf (and the table it sits in) were written back */
	assert_true(fake_was_flushed(pte(d, 0x800000), 8));
	assert_int_equal(*pte(d, 0x800000), 0x8000000 | VTD_PTE_R);
	assert_int_equal(vtd_domain_unmap(d, 0x200000, 0x200000), 0);
	assert_int_equal(fake_count("u0 qi iotlb g=3 did=1 addr=200000 am=9"), 1);
	assert_int_equal(fake_count("u1 qi iotlb g=3 did=1 addr=200000 am=9"), 1);
	assert_int_equal(vtd_domain_translate(d, 0x200000, &hpa, NULL), -ENOENT);
	assert_int_equal(vtd_domain_translate(d, 0x1ff000, &hpa, NULL), 0);
	assert_int_equal(hpa, 0x41ff000);
	assert_int_equal(vtd_domain_unmap(d, 0x123, 0x1000), -EINVAL);
}

static void test_map_vm(void **state)
{
	struct vm_config vc = {
		.name = "vm1", .nr_mem = 2,
		.mem = { { .gpa = 0, .hpa = 0x4000000, .size = 0x4000000 },
			 { .gpa = 0x100000000ULL, .hpa = 0x10000000, .size = 0x200000 } },
	};
	struct vtd_domain *d;
	u64 hpa;

	(void)state;
	machine(FAKE_CAP_BASE, QI_IR, FAKE_CAP_BASE, QI_IR);
	assert_int_equal(vtd_init(NULL), 0);
	d = vtd_domain_create("vm1");
	assert_int_equal(vtd_domain_map_vm(d, &vc), 0);
	assert_int_equal(vtd_domain_translate(d, 0x3fff000, &hpa, NULL), 0);
	assert_int_equal(hpa, 0x7fff000);
	assert_int_equal(vtd_domain_translate(d, 0x100001000ULL, &hpa, NULL), 0);
	assert_int_equal(hpa, 0x10001000);
	assert_int_equal(vtd_domain_translate(d, 0x4000000, &hpa, NULL), -ENOENT);	/* nothing else */
	assert_int_equal(vtd_domain_map_vm(d, &vc), -EEXIST);
}

static void test_rmrr(void **state)
{
	struct vtd_domain *d, *e;
	unsigned perm;
	u64 hpa;

	(void)state;
	machine(FAKE_CAP_BASE, QI_IR, FAKE_CAP_BASE, QI_IR);
	assert_int_equal(vtd_init(NULL), 0);
	d = vtd_domain_create("vm0");
	assert_int_equal(vtd_device_assign(d, DEV_C), 0);
	assert_int_equal(vtd_domain_translate(d, RMRR_BASE, &hpa, &perm), 0);
	assert_int_equal(hpa, RMRR_BASE);
	assert_int_equal(perm, VTD_PERM_RW);
	assert_int_equal(vtd_domain_translate(d, RMRR_LIMIT & ~0xfffULL, &hpa, NULL), 0);
	assert_int_equal(hpa, RMRR_LIMIT & ~0xfffULL);
	assert_int_equal(vtd_domain_translate(d, RMRR_LIMIT + 1, &hpa, NULL), -ENOENT);
	/* a device without an RMRR gets no such mapping */
	e = vtd_domain_create("vm1");
	assert_int_equal(vtd_device_assign(e, DEV_D), 0);
	assert_int_equal(vtd_domain_translate(e, RMRR_BASE, &hpa, NULL), -ENOENT);
	/* a domain that maps the RMRR range elsewhere cannot take the device */
	assert_int_equal(vtd_domain_map(e, RMRR_BASE + 0x2000, 0x1000000, 0x1000, VTD_PERM_RW), 0);
	assert_int_equal(vtd_device_assign(e, DEV_C), -EBUSY);
	assert_ptr_equal(vtd_device_domain(DEV_C), d);		/* left where it was */
	/* an identical identity map already there is fine (partly mapped range) */
	assert_int_equal(vtd_domain_unmap(e, RMRR_BASE + 0x2000, 0x1000), 0);
	assert_int_equal(vtd_domain_map(e, RMRR_BASE + 0x2000, RMRR_BASE + 0x2000, 0x1000,
					VTD_PERM_RW), 0);
	assert_int_equal(vtd_device_assign(e, DEV_C), 0);
	assert_int_equal(vtd_domain_translate(e, RMRR_BASE + 0x5000, &hpa, NULL), 0);
	assert_int_equal(hpa, RMRR_BASE + 0x5000);
}

static void test_msi(void **state)
{
	struct vtd_irq_grant g = { .sid = DEV_A, .vec_min = 0x40, .vec_max = 0x4f };
	struct vtd_irte_cfg c;
	struct vtd_msi m, m2;
	const u64 *irt;

	(void)state;
	machine(FAKE_CAP_BASE, QI_IR, FAKE_CAP_BASE, QI_IR);
	assert_int_equal(vtd_init(NULL), 0);
	g.dest_mask[0] = BIT(2);
	fake_nlog = 0;
	assert_int_equal(vtd_msi_setup(DEV_A, 0x41, 2, &g, &m), 0);
	assert_int_equal(m.unit, 0);
	assert_int_equal(m.index, 0);
	assert_int_equal(m.addr_lo, 0xFEE00010);
	assert_int_equal(m.addr_hi, 0);
	assert_int_equal(m.data, 0);
	irt = vtd_sys.units[0].irt;
	assert_int_equal(vtd_irte_decode(irt, false, &c), 0);
	assert_int_equal(c.vector, 0x41);
	assert_int_equal(c.dest, 2);
	assert_int_equal(c.sid, DEV_A);
	assert_int_equal(c.svt, VTD_SVT_SID);
	assert_int_equal(c.sq, 0);
	assert_int_equal(fake_count("u0 qi iec g=1 idx=0"), 1);	/* the entry cache forgets it */
	/* outside the grant: refused, and no entry used up */
	assert_int_equal(vtd_msi_setup(DEV_A, 0x50, 2, &g, &m2), -EPERM);
	assert_int_equal(vtd_msi_setup(DEV_A, 0x41, 3, &g, &m2), -EPERM);
	assert_int_equal(vtd_msi_setup(DEV_B, 0x41, 2, &g, &m2), -EPERM);
	assert_int_equal(vtd_msi_setup(DEV_A, 0x0f, 2, NULL, &m2), -EINVAL);
	assert_int_equal(vtd_msi_setup(DEV_D, 0x42, 2, NULL, &m2), 0);	/* unit 1 */
	assert_int_equal(m2.unit, 1);
	assert_int_equal(m2.index, 0);
	assert_int_equal(vtd_msi_setup(DEV_B, 0x43, 2, NULL, &m2), 0);
	assert_int_equal(m2.unit, 0);
	assert_int_equal(m2.index, 1);
	/* retarget in place, checked the same way */
	fake_nlog = 0;
	assert_int_equal(vtd_msi_update(&m, DEV_A, 0x4f, 2, &g), 0);
	assert_int_equal(vtd_irte_decode(irt, false, &c), 0);
	assert_int_equal(c.vector, 0x4f);
	assert_int_equal(fake_count("u0 qi iec g=1 idx=0"), 1);
	assert_int_equal(vtd_msi_update(&m, DEV_A, 0x60, 2, &g), -EPERM);
	assert_int_equal(vtd_msi_update(&m, DEV_D, 0x41, 2, NULL), -EINVAL);	/* other unit */
	/* release: entry cleared and invalidated, index reusable */
	vtd_msi_release(&m);
	assert_int_equal(irt[0], 0);
	assert_int_equal(irt[1], 0);
	assert_int_equal(vtd_msi_setup(DEV_A, 0x44, 2, &g, &m), 0);
	assert_int_equal(m.index, 0);
	/* the table fills up */
	for (unsigned i = 2; i < VTD_IRT_ENTRIES; i++)
		assert_int_equal(vtd_msi_setup(DEV_A, 0x44, 2, NULL, &m2), 0);
	assert_int_equal(vtd_msi_setup(DEV_A, 0x44, 2, NULL, &m2), -ENOSPC);
}

static void test_ioapic(void **state)
{
	struct vtd_irte_cfg c;
	u16 idx;
	u64 rte;

	(void)state;
	machine(FAKE_CAP_BASE, QI_IR, FAKE_CAP_BASE, QI_IR);
	assert_int_equal(vtd_init(NULL), 0);
	assert_int_equal(vtd_ioapic_setup(2, 0x30, 2, true, true, &idx, &rte), 0);
	assert_int_equal(idx, 0);
	assert_int_equal(rte, vtd_ioapic_rte(0, 0x30, true, true, false));
	assert_true(rte & BIT(48));
	assert_int_equal(vtd_irte_decode(vtd_sys.units[1].irt, false, &c), 0);
	assert_int_equal(c.sid, PCI_BDF(0xf0, 0x1f, 0));
	assert_true(c.level);
	assert_int_equal(c.vector, 0x30);
	assert_int_equal(vtd_ioapic_setup(3, 0x30, 2, false, false, &idx, &rte), -ENODEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_no_dmar, teardown),
		cmocka_unit_test_teardown(test_bad_dmar, teardown),
		cmocka_unit_test_teardown(test_init, teardown),
		cmocka_unit_test_teardown(test_init_board_differs, teardown),
		cmocka_unit_test_teardown(test_init_ir_all_or_none, teardown),
		cmocka_unit_test_teardown(test_init_failure_turns_all_off, teardown),
		cmocka_unit_test_teardown(test_domain_ids, teardown),
		cmocka_unit_test_teardown(test_destroy, teardown),
		cmocka_unit_test_teardown(test_assign, teardown),
		cmocka_unit_test_teardown(test_assign_caching_mode, teardown),
		cmocka_unit_test_teardown(test_move_and_block, teardown),
		cmocka_unit_test_teardown(test_unmap_sync, teardown),
		cmocka_unit_test_teardown(test_map_vm, teardown),
		cmocka_unit_test_teardown(test_rmrr, teardown),
		cmocka_unit_test_teardown(test_msi, teardown),
		cmocka_unit_test_teardown(test_ioapic, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
