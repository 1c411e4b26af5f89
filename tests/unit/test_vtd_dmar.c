/* Unit tests for the DMAR parser and device-scope matching (vtd/dmar.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "pci.h"
#include "vm_config.h"
#include "vtd_dmar.h"

/* A DMAR table under construction. */
struct tb {
	u8 b[2048];
	size_t len;
	size_t open;		/* offset of the structure being built, 0 if none */
};

static void put(struct tb *t, const void *p, size_t n)
{
	assert_true(t->len + n <= sizeof(t->b));
	memcpy(t->b + t->len, p, n);
	t->len += n;
}
static void put8(struct tb *t, u8 v) { put(t, &v, 1); }
static void put16(struct tb *t, u16 v) { put(t, &v, 2); }
static void put32(struct tb *t, u32 v) { put(t, &v, 4); }
static void put64(struct tb *t, u64 v) { put(t, &v, 8); }

static void tb_init(struct tb *t, u8 haw_minus_1, u8 flags)
{
	memset(t, 0, sizeof(*t));
	put(t, "DMAR", 4);
	put32(t, 0);			/* length, fixed in tb_done */
	put8(t, 1);			/* revision */
	put8(t, 0);			/* checksum */
	put(t, "BHTEST", 6);
	put(t, "BHTABLE ", 8);
	put32(t, 1);
	put32(t, 0);
	put32(t, 1);
	put8(t, haw_minus_1);
	put8(t, flags);
	for (int i = 0; i < 10; i++)
		put8(t, 0);
	assert_int_equal(t->len, DMAR_HEADER_LEN);
}

static void st_close(struct tb *t)
{
	if (t->open) {
		u16 l = t->len - t->open;

		memcpy(t->b + t->open + 2, &l, 2);
		t->open = 0;
	}
}

static void drhd(struct tb *t, u8 flags, u16 seg, u64 base)
{
	st_close(t);
	t->open = t->len;
	put16(t, DMAR_TYPE_DRHD);
	put16(t, 0);
	put8(t, flags);
	put8(t, 0);
	put16(t, seg);
	put64(t, base);
}

static void rmrr(struct tb *t, u16 seg, u64 base, u64 limit)
{
	st_close(t);
	t->open = t->len;
	put16(t, DMAR_TYPE_RMRR);
	put16(t, 0);
	put16(t, 0);
	put16(t, seg);
	put64(t, base);
	put64(t, limit);
}

static void other(struct tb *t, u16 type, unsigned body)
{
	st_close(t);
	t->open = t->len;
	put16(t, type);
	put16(t, 0);
	for (unsigned i = 0; i < body; i++)
		put8(t, 0);
}

/* A device scope: type, enumeration id, start bus, then (dev, fn) pairs. */
static void scope(struct tb *t, u8 type, u8 id, u8 bus, unsigned npath, ...)
{
	va_list ap;

	put8(t, type);
	put8(t, 6 + 2 * npath);
	put16(t, 0);
	put8(t, id);
	put8(t, bus);
	va_start(ap, npath);
	for (unsigned i = 0; i < 2 * npath; i++)
		put8(t, (u8)va_arg(ap, int));
	va_end(ap);
}

static void fix(u8 *b, size_t len)
{
	u8 sum = 0;
	u32 l = len;

	memcpy(b + 4, &l, 4);
	b[9] = 0;
	for (size_t i = 0; i < len; i++)
		sum += b[i];
	b[9] = -sum;
}

static void tb_done(struct tb *t)
{
	st_close(t);
	fix(t->b, t->len);
}

/* Parse from an exactly sized heap copy, so ASan sees any read past the end. */
static int parse_exact(const u8 *b, size_t len, struct vtd_dmar_info *out)
{
	u8 *copy = malloc(len ? len : 1);
	int ret;

	memcpy(copy, b, len);
	ret = vtd_dmar_parse(copy, len, out);
	free(copy);
	return ret;
}

static struct vtd_dmar_info info;

/* What QEMU-like and real firmware give: an explicit unit, an include-all unit, RMRR, ATSR. */
static void build_typical(struct tb *t)
{
	tb_init(t, 38, DMAR_FLAG_INTR_REMAP);
	drhd(t, 0, 0, 0xfed90000);
	scope(t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, 2, 0);		/* 00:02.0 */
	scope(t, DMAR_SCOPE_PCI_BRIDGE, 0, 0, 1, 0x1c, 0);		/* 00:1c.0 and below */
	drhd(t, DRHD_FLAG_INCLUDE_PCI_ALL, 0, 0xfed91000);
	scope(t, DMAR_SCOPE_IOAPIC, 2, 0xf0, 1, 0x1f, 0);
	scope(t, DMAR_SCOPE_HPET, 0, 0xf0, 1, 0x0f, 0);
	rmrr(t, 0, 0x7c000000, 0x7c7fffff);
	scope(t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 2, 0x1c, 0, 0, 0);	/* behind 00:1c.0 */
	other(t, DMAR_TYPE_ATSR, 4);
	other(t, 0x7f, 12);						/* unknown: skipped */
	tb_done(t);
}

static void test_typical(void **state)
{
	struct tb t;

	(void)state;
	build_typical(&t);
	assert_int_equal(parse_exact(t.b, t.len, &info), 0);
	assert_int_equal(info.haw, 39);
	assert_int_equal(info.flags, DMAR_FLAG_INTR_REMAP);
	assert_int_equal(info.nr_drhd, 2);
	assert_int_equal(info.nr_rmrr, 1);
	assert_int_equal(info.nr_atsr, 1);
	assert_int_equal(info.nr_other, 1);
	assert_int_equal(info.nr_scopes, 5);
	assert_int_equal(info.drhd[0].reg_base, 0xfed90000);
	assert_int_equal(info.drhd[0].flags, 0);
	assert_int_equal(info.drhd[0].first_scope, 0);
	assert_int_equal(info.drhd[0].nr_scopes, 2);
	assert_int_equal(info.drhd[1].reg_base, 0xfed91000);
	assert_int_equal(info.drhd[1].flags, DRHD_FLAG_INCLUDE_PCI_ALL);
	assert_int_equal(info.drhd[1].first_scope, 2);
	assert_int_equal(info.drhd[1].nr_scopes, 2);
	assert_int_equal(info.scopes[0].type, DMAR_SCOPE_PCI_ENDPOINT);
	assert_int_equal(info.scopes[0].path_len, 1);
	assert_int_equal(info.scopes[0].path[0].dev, 2);
	assert_int_equal(info.scopes[2].type, DMAR_SCOPE_IOAPIC);
	assert_int_equal(info.scopes[2].enum_id, 2);
	assert_int_equal(info.scopes[2].start_bus, 0xf0);
	assert_int_equal(info.scopes[2].path[0].dev, 0x1f);
	assert_int_equal(info.rmrr[0].base, 0x7c000000);
	assert_int_equal(info.rmrr[0].limit, 0x7c7fffff);
	assert_int_equal(info.rmrr[0].first_scope, 4);
	assert_int_equal(info.rmrr[0].nr_scopes, 1);
	assert_int_equal(info.scopes[4].path_len, 2);
	assert_int_equal(info.scopes[4].path[1].dev, 0);
}

static void expect_reject(struct tb *t, int err)
{
	tb_done(t);
	memset(&info, 0xAB, sizeof(info));
	assert_int_equal(parse_exact(t->b, t->len, &info), err);
	assert_int_equal(info.nr_drhd, 0);		/* zeroed on error */
	assert_int_equal(info.nr_scopes, 0);
}

static void test_header_errors(void **state)
{
	struct tb t;

	(void)state;
	build_typical(&t);
	assert_int_equal(vtd_dmar_parse(NULL, 100, &info), -EINVAL);
	assert_int_equal(parse_exact(t.b, 47, &info), -EINVAL);		/* shorter than a header */
	t.b[0] = 'X';
	fix(t.b, t.len);
	assert_int_equal(parse_exact(t.b, t.len, &info), -EINVAL);	/* signature */
	build_typical(&t);
	t.b[9] ^= 1;
	assert_int_equal(parse_exact(t.b, t.len, &info), -EINVAL);	/* checksum */
	build_typical(&t);
	assert_int_equal(parse_exact(t.b, t.len - 1, &info), -EINVAL);	/* length > what is there */
	build_typical(&t);
	fix(t.b, 40);							/* length < header */
	assert_int_equal(parse_exact(t.b, t.len, &info), -EINVAL);
	tb_init(&t, 38, 0);						/* no structures at all */
	expect_reject(&t, -EINVAL);
	tb_init(&t, 38, 0);
	other(&t, DMAR_TYPE_ATSR, 4);					/* no DRHD */
	expect_reject(&t, -EINVAL);
}

static void test_structure_errors(void **state)
{
	struct tb t;
	u16 zero = 0, big = 0x400;

	(void)state;
	/* a structure claiming length 0 (would loop forever) or past the end */
	tb_init(&t, 38, 0);
	drhd(&t, 0, 0, 0xfed90000);
	st_close(&t);
	memcpy(t.b + DMAR_HEADER_LEN + 2, &zero, 2);
	fix(t.b, t.len);
	assert_int_equal(parse_exact(t.b, t.len, &info), -EINVAL);
	memcpy(t.b + DMAR_HEADER_LEN + 2, &big, 2);
	fix(t.b, t.len);
	assert_int_equal(parse_exact(t.b, t.len, &info), -EINVAL);
	/* 1..3 stray bytes after the last structure: a cut-off header */
	for (int extra = 1; extra <= 3; extra++) {
		tb_init(&t, 38, 0);
		drhd(&t, DRHD_FLAG_INCLUDE_PCI_ALL, 0, 0xfed90000);
		st_close(&t);
		for (int i = 0; i < extra; i++)
			put8(&t, 0);
		expect_reject(&t, -EINVAL);
	}
	/* DRHD and RMRR shorter than their fixed part */
	tb_init(&t, 38, 0);
	other(&t, DMAR_TYPE_DRHD, 8);
	expect_reject(&t, -EINVAL);
	tb_init(&t, 38, 0);
	drhd(&t, DRHD_FLAG_INCLUDE_PCI_ALL, 0, 0xfed90000);
	other(&t, DMAR_TYPE_RMRR, 16);
	expect_reject(&t, -EINVAL);
	/* register base 0 or not page aligned */
	tb_init(&t, 38, 0);
	drhd(&t, DRHD_FLAG_INCLUDE_PCI_ALL, 0, 0);
	expect_reject(&t, -EINVAL);
	tb_init(&t, 38, 0);
	drhd(&t, DRHD_FLAG_INCLUDE_PCI_ALL, 0, 0xfed90800);
	expect_reject(&t, -EINVAL);
	/* two INCLUDE_PCI_ALL units for one segment; other segments are fine */
	tb_init(&t, 38, 0);
	drhd(&t, DRHD_FLAG_INCLUDE_PCI_ALL, 0, 0xfed90000);
	drhd(&t, DRHD_FLAG_INCLUDE_PCI_ALL, 0, 0xfed91000);
	expect_reject(&t, -EINVAL);
	tb_init(&t, 38, 0);
	drhd(&t, DRHD_FLAG_INCLUDE_PCI_ALL, 0, 0xfed90000);
	drhd(&t, DRHD_FLAG_INCLUDE_PCI_ALL, 1, 0xfed91000);
	tb_done(&t);
	assert_int_equal(parse_exact(t.b, t.len, &info), 0);
	assert_int_equal(info.drhd[1].segment, 1);
}

static void test_rmrr_errors(void **state)
{
	static const u64 bad[][2] = {
		{ 0x1000800, 0x1001fff },	/* base not page aligned */
		{ 0x1000000, 0x1000ffe },	/* limit + 1 not page aligned */
		{ 0x2000000, 0x1ffffff },	/* limit below base */
		{ 0x1000000, 0x10000000fffULL },	/* beyond the 39-bit host width */
	};
	struct tb t;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		tb_init(&t, 38, 0);
		drhd(&t, DRHD_FLAG_INCLUDE_PCI_ALL, 0, 0xfed90000);
		rmrr(&t, 0, bad[i][0], bad[i][1]);
		scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, 0x14, 0);
		expect_reject(&t, -EINVAL);
	}
	/* a one-page RMRR is fine */
	tb_init(&t, 38, 0);
	drhd(&t, DRHD_FLAG_INCLUDE_PCI_ALL, 0, 0xfed90000);
	rmrr(&t, 0, 0x1000000, 0x1000fff);
	tb_done(&t);
	assert_int_equal(parse_exact(t.b, t.len, &info), 0);
	assert_int_equal(info.nr_rmrr, 1);
}

static void test_scope_errors(void **state)
{
	struct tb t;

	(void)state;
	/* scope length below 6, odd, and past its structure */
	static const u8 lens[] = { 0, 5, 7, 12 };
	for (unsigned i = 0; i < ARRAY_SIZE(lens); i++) {
		tb_init(&t, 38, 0);
		drhd(&t, 0, 0, 0xfed90000);
		put8(&t, DMAR_SCOPE_PCI_ENDPOINT);
		put8(&t, lens[i]);
		put16(&t, 0);
		put8(&t, 0);
		put8(&t, 0);
		put8(&t, 3);
		put8(&t, 0);
		expect_reject(&t, -EINVAL);
	}
	/* 1..5 bytes of a scope header left in the structure */
	for (int n = 1; n <= 5; n++) {
		tb_init(&t, 38, 0);
		drhd(&t, 0, 0, 0xfed90000);
		for (int i = 0; i < n; i++)
			put8(&t, 1);
		expect_reject(&t, -EINVAL);
	}
	/* no path; device 32; function 8 */
	tb_init(&t, 38, 0);
	drhd(&t, 0, 0, 0xfed90000);
	scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 0);
	expect_reject(&t, -EINVAL);
	tb_init(&t, 38, 0);
	drhd(&t, 0, 0, 0xfed90000);
	scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, 32, 0);
	expect_reject(&t, -EINVAL);
	tb_init(&t, 38, 0);
	drhd(&t, 0, 0, 0xfed90000);
	scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, 3, 8);
	expect_reject(&t, -EINVAL);
	/* unknown scope type: skipped, not stored */
	tb_init(&t, 38, 0);
	drhd(&t, 0, 0, 0xfed90000);
	scope(&t, 0x42, 0, 0, 1, 3, 0);
	scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 1, 3, 0);
	tb_done(&t);
	assert_int_equal(parse_exact(t.b, t.len, &info), 0);
	assert_int_equal(info.nr_scopes, 1);
	assert_int_equal(info.drhd[0].nr_scopes, 1);
}

static void test_limits(void **state)
{
	struct tb t;

	(void)state;
	/* a path longer than we keep */
	tb_init(&t, 38, 0);
	drhd(&t, 0, 0, 0xfed90000);
	scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, 0, 9, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0,
	      1, 0, 1, 0);
	expect_reject(&t, -E2BIG);
	/* more units than fit */
	tb_init(&t, 38, 0);
	for (unsigned i = 0; i <= VTD_MAX_UNITS; i++)
		drhd(&t, 0, 0, 0xfed90000 + i * 0x1000);
	expect_reject(&t, -E2BIG);
	/* more scopes than fit */
	tb_init(&t, 38, 0);
	drhd(&t, 0, 0, 0xfed90000);
	for (unsigned i = 0; i <= VTD_MAX_SCOPES; i++)
		scope(&t, DMAR_SCOPE_PCI_ENDPOINT, 0, i / 32, 1, i % 32, 0);
	expect_reject(&t, -E2BIG);
	/* more RMRRs than fit */
	tb_init(&t, 38, 0);
	drhd(&t, DRHD_FLAG_INCLUDE_PCI_ALL, 0, 0xfed90000);
	for (unsigned i = 0; i <= VTD_MAX_RMRR; i++)
		rmrr(&t, 0, 0x1000000 + i * 0x1000, 0x1000fff + i * 0x1000);
	expect_reject(&t, -E2BIG);
}

/*
 * Every prefix of a valid table, claimed with its own length and checksum,
 * and every prefix offered with the full claimed length: no read outside
 * the buffer (ASan) and never a success that reports more than is there.
 */
static void test_truncation_sweep(void **state)
{
	struct tb t;
	u8 buf[2048];

	(void)state;
	build_typical(&t);
	for (size_t l = 0; l < t.len; l++) {
		int ret;

		memcpy(buf, t.b, t.len);
		assert_int_equal(parse_exact(buf, l, &info), -EINVAL);	/* claims more than given */
		if (l < DMAR_HEADER_LEN)
			continue;
		fix(buf, l);
		ret = parse_exact(buf, l, &info);
		if (ret == 0)
			assert_true(info.nr_drhd >= 1);
		else
			assert_int_equal(info.nr_drhd, 0);
	}
}

/* Each byte of the body flipped (checksum fixed up): ASan keeps the parser honest. */
static void test_mutation_sweep(void **state)
{
	struct tb t;
	u8 buf[2048];
	unsigned ok = 0, rejected = 0;

	(void)state;
	build_typical(&t);
	for (size_t i = DMAR_HEADER_LEN; i < t.len; i++)
		for (unsigned v = 0; v < 256; v += 51) {
			memcpy(buf, t.b, t.len);
			buf[i] = v;
			fix(buf, t.len);
			if (parse_exact(buf, t.len, &info) == 0) {
				ok++;
				assert_true(info.nr_drhd >= 1 && info.nr_drhd <= VTD_MAX_UNITS);
				assert_true(info.nr_scopes <= VTD_MAX_SCOPES);
				for (unsigned k = 0; k < info.nr_scopes; k++)
					assert_true(info.scopes[k].path_len >= 1 &&
						    info.scopes[k].path_len <= VTD_MAX_PATH);
			} else {
				rejected++;
			}
		}
	assert_true(ok > 0 && rejected > 0);
}

/* A tiny config space: 00:1c.0 is a bridge to buses 2..3, 00:1f.0 an endpoint. */
static u32 cfg_read(u16 bdf, u16 off, unsigned size)
{
	(void)size;
	if (bdf == PCI_BDF(0, 0x1c, 0)) {
		switch (off) {
		case PCI_VENDOR_ID: return 0x8086;
		case PCI_HEADER_TYPE: return 0x81;	/* multifunction bridge */
		case 0x19: return 2;
		case 0x1A: return 3;
		}
	}
	if (bdf == PCI_BDF(0, 0x1f, 0)) {
		switch (off) {
		case PCI_VENDOR_ID: return 0x8086;
		case PCI_HEADER_TYPE: return 0;
		}
	}
	return 0xffffffff;
}

static void test_scope_resolve(void **state)
{
	struct vtd_dev_scope s = { .type = DMAR_SCOPE_PCI_ENDPOINT, .start_bus = 0, .path_len = 2,
				   .path = { { 0x1c, 0 }, { 0, 1 } } };
	struct vtd_scope_res r;

	(void)state;
	assert_int_equal(vtd_scope_resolve(&s, cfg_read, &r), 0);
	assert_true(r.valid);
	assert_int_equal(r.bdf, PCI_BDF(2, 0, 1));
	s.path_len = 1;
	s.type = DMAR_SCOPE_PCI_BRIDGE;
	assert_int_equal(vtd_scope_resolve(&s, cfg_read, &r), 0);
	assert_int_equal(r.bdf, PCI_BDF(0, 0x1c, 0));
	assert_int_equal(r.sec_bus, 2);
	assert_int_equal(r.sub_bus, 3);
	/* a hop through an endpoint or an absent device */
	s.type = DMAR_SCOPE_PCI_ENDPOINT;
	s.path_len = 2;
	s.path[0].dev = 0x1f;
	assert_int_equal(vtd_scope_resolve(&s, cfg_read, &r), -ENODEV);
	assert_false(r.valid);
	s.path[0].dev = 0x10;
	assert_int_equal(vtd_scope_resolve(&s, cfg_read, &r), -ENODEV);
	/* a bridge scope naming an endpoint; an empty path */
	s.type = DMAR_SCOPE_PCI_BRIDGE;
	s.path_len = 1;
	s.path[0].dev = 0x1f;
	assert_int_equal(vtd_scope_resolve(&s, cfg_read, &r), -ENODEV);
	s.path_len = 0;
	assert_int_equal(vtd_scope_resolve(&s, cfg_read, &r), -ENODEV);
	/* IOAPIC scopes name a requester id, whatever config space says */
	s.type = DMAR_SCOPE_IOAPIC;
	s.start_bus = 0xf0;
	s.path_len = 1;
	s.path[0].dev = 0x1f;
	s.path[0].fn = 0;
	assert_int_equal(vtd_scope_resolve(&s, cfg_read, &r), 0);
	assert_int_equal(r.bdf, PCI_BDF(0xf0, 0x1f, 0));
}

static void test_matching(void **state)
{
	struct vtd_scope_res res[VTD_MAX_SCOPES];
	struct tb t;
	u16 sid;
	unsigned unit;

	(void)state;
	build_typical(&t);
	assert_int_equal(parse_exact(t.b, t.len, &info), 0);
	for (unsigned i = 0; i < info.nr_scopes; i++)
		vtd_scope_resolve(&info.scopes[i], cfg_read, &res[i]);
	assert_int_equal(vtd_dmar_unit_for(&info, res, 0, PCI_BDF(0, 2, 0)), 0);	/* endpoint */
	assert_int_equal(vtd_dmar_unit_for(&info, res, 0, PCI_BDF(0, 0x1c, 0)), 0);	/* the bridge */
	assert_int_equal(vtd_dmar_unit_for(&info, res, 0, PCI_BDF(2, 0, 0)), 0);	/* below it */
	assert_int_equal(vtd_dmar_unit_for(&info, res, 0, PCI_BDF(3, 5, 1)), 0);
	assert_int_equal(vtd_dmar_unit_for(&info, res, 0, PCI_BDF(4, 0, 0)), 1);	/* include-all */
	assert_int_equal(vtd_dmar_unit_for(&info, res, 0, PCI_BDF(0, 3, 0)), 1);
	assert_int_equal(vtd_dmar_unit_for(&info, res, 1, PCI_BDF(0, 2, 0)), -ENODEV);	/* segment 1 */
	/* the RMRR names 02:00.0 only (through the bridge path) */
	assert_true(vtd_rmrr_covers(&info, res, 0, 0, PCI_BDF(2, 0, 0)));
	assert_false(vtd_rmrr_covers(&info, res, 0, 0, PCI_BDF(2, 0, 1)));
	assert_false(vtd_rmrr_covers(&info, res, 0, 1, PCI_BDF(2, 0, 0)));
	assert_false(vtd_rmrr_covers(&info, res, 1, 0, PCI_BDF(2, 0, 0)));
	assert_int_equal(vtd_dmar_ioapic_sid(&info, res, 2, &sid, &unit), 0);
	assert_int_equal(sid, PCI_BDF(0xf0, 0x1f, 0));
	assert_int_equal(unit, 1);
	assert_int_equal(vtd_dmar_ioapic_sid(&info, res, 3, &sid, &unit), -ENODEV);
	/* an unresolved scope matches nothing: the device falls to include-all */
	res[0].valid = false;
	assert_int_equal(vtd_dmar_unit_for(&info, res, 0, PCI_BDF(0, 2, 0)), 1);
}

static char xc_msgs[16][160];
static unsigned xc_n;

static void xc_report(void *ctx, const char *msg)
{
	(void)ctx;
	if (xc_n < 16)
		snprintf(xc_msgs[xc_n], sizeof(xc_msgs[0]), "%s", msg);
	xc_n++;
}

static bool xc_said(const char *part)
{
	for (unsigned i = 0; i < xc_n && i < 16; i++)
		if (strstr(xc_msgs[i], part))
			return true;
	return false;
}

static void test_crosscheck(void **state)
{
	struct vtd_scope_res res[VTD_MAX_SCOPES];
	struct board_dev_scope s0[] = {
		{ BOARD_SCOPE_ENDPOINT, 0, PCI_BDF(0, 2, 0) },
		{ BOARD_SCOPE_BRIDGE, 0, PCI_BDF(0, 0x1c, 0) },
	};
	struct board_dev_scope s1[] = {
		{ BOARD_SCOPE_IOAPIC, 2, PCI_BDF(0xf0, 0x1f, 0) },
		{ BOARD_SCOPE_HPET, 0, PCI_BDF(0xf0, 0x0f, 0) },
	};
	struct board_dev_scope rs[] = { { BOARD_SCOPE_ENDPOINT, 0, PCI_BDF(2, 0, 0) } };
	struct board_iommu iommus[] = {
		{ .base = 0xfed90000, .size = 0x1000, .nr_scopes = 2, .scopes = s0 },
		{ .base = 0xfed91000, .size = 0x1000, .include_pci_all = true, .nr_scopes = 2,
		  .scopes = s1 },
	};
	struct board_rmrr rmrrs[] = { { 0x7c000000, 0x800000, 0, 1, rs } };
	struct board_config b = {
		.name = "test", .iommu_addr_width = 39, .iommu_intr_remap = true,
		.nr_iommus = 2, .iommus = iommus, .nr_rmrrs = 1, .rmrrs = rmrrs,
	};
	struct tb t;

	(void)state;
	build_typical(&t);
	assert_int_equal(parse_exact(t.b, t.len, &info), 0);
	for (unsigned i = 0; i < info.nr_scopes; i++)
		vtd_scope_resolve(&info.scopes[i], cfg_read, &res[i]);
	xc_n = 0;
	assert_int_equal(vtd_dmar_crosscheck(&info, res, &b, xc_report, NULL), 0);
	assert_int_equal(vtd_dmar_crosscheck(&info, res, NULL, xc_report, NULL), 0);
	/* width, flag, a moved unit, a scope, an RMRR: each one reported */
	b.iommu_addr_width = 46;
	b.iommu_intr_remap = false;
	assert_int_equal(vtd_dmar_crosscheck(&info, res, &b, xc_report, NULL), 2);
	assert_true(xc_said("host address width: board 46, DMAR 39"));
	b.iommu_addr_width = 39;
	b.iommu_intr_remap = true;
	xc_n = 0;
	s0[0].bdf = PCI_BDF(0, 3, 0);
	assert_int_equal(vtd_dmar_crosscheck(&info, res, &b, xc_report, NULL), 2);
	assert_true(xc_said("DMAR scope type 1 00:02.0 not in the board"));
	assert_true(xc_said("board scope type 1 00:03.0 not in the DMAR"));
	s0[0].bdf = PCI_BDF(0, 2, 0);
	s1[0].enum_id = 3;
	xc_n = 0;
	assert_int_equal(vtd_dmar_crosscheck(&info, res, &b, xc_report, NULL), 2);
	s1[0].enum_id = 2;
	iommus[1].base = 0xfed92000;
	xc_n = 0;
	assert_int_equal(vtd_dmar_crosscheck(&info, res, &b, xc_report, NULL), 2);
	assert_true(xc_said("unit 0xfed91000 is not in the board"));
	assert_true(xc_said("board unit 0xfed92000 is not in the DMAR"));
	iommus[1].base = 0xfed91000;
	iommus[1].include_pci_all = false;
	assert_int_equal(vtd_dmar_crosscheck(&info, res, &b, NULL, NULL), 1);
	iommus[1].include_pci_all = true;
	rmrrs[0].size = 0x1000;
	xc_n = 0;
	assert_int_equal(vtd_dmar_crosscheck(&info, res, &b, xc_report, NULL), 1);
	assert_true(xc_said("RMRR 0x7c000000-0x7c7fffff is not in the board"));
	rmrrs[0].size = 0x800000;
	b.nr_rmrrs = 0;
	assert_int_equal(vtd_dmar_crosscheck(&info, res, &b, NULL, NULL), 2);
	/* a board without a DMAR on a machine with one */
	b.iommu_addr_width = 0;
	assert_int_equal(vtd_dmar_crosscheck(&info, res, &b, NULL, NULL), 1);
	/* a scope that did not resolve is not held against either side */
	b.iommu_addr_width = 39;
	b.nr_rmrrs = 1;
	res[0].valid = false;
	assert_int_equal(vtd_dmar_crosscheck(&info, res, &b, NULL, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typical),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_rmrr_errors),
		cmocka_unit_test(test_scope_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_truncation_sweep),
		cmocka_unit_test(test_mutation_sweep),
		cmocka_unit_test(test_scope_resolve),
		cmocka_unit_test(test_matching),
		cmocka_unit_test(test_crosscheck),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
