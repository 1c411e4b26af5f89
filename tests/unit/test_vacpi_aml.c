/* Unit tests for the AML emitter and output cursor of dm/vacpi (aml.c, aml_res.c, vacpi.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vacpi.h"
#include "errno.h"

static u8 buf[8192];
static struct vacpi_out out;
static struct aml a;

static int setup(void **state)
{
	(void)state;
	memset(buf, 0xEE, sizeof(buf));
	vacpi_out_init(&out, buf, sizeof(buf));
	aml_init(&a, &out);
	return 0;
}

#define assert_bytes(...) do { \
		static const u8 want_[] = { __VA_ARGS__ }; \
		assert_int_equal(out.len, sizeof(want_)); \
		assert_memory_equal(buf, want_, sizeof(want_)); \
		assert_false(a.error); \
	} while (0)

static void test_out_little_endian_and_overflow(void **state)
{
	u8 small[5];
	struct vacpi_out o;

	(void)state;
	vacpi_put16(&out, 0x1234);
	vacpi_put32(&out, 0xAABBCCDD);
	vacpi_put64(&out, 0x0102030405060708ULL);
	assert_bytes(0x34, 0x12, 0xDD, 0xCC, 0xBB, 0xAA, 8, 7, 6, 5, 4, 3, 2, 1);

	memset(small, 0x55, sizeof(small));
	vacpi_out_init(&o, small, 4);
	vacpi_put32(&o, 0x11223344);
	assert_false(o.overflow);
	vacpi_put8(&o, 0x99);			/* one too many */
	assert_true(o.overflow);
	vacpi_put16(&o, 0x9999);
	assert_int_equal(o.len, 7);		/* still counted */
	assert_int_equal(small[4], 0x55);	/* never written */
	assert_null(vacpi_reserve(&o, 1));

	vacpi_out_init(&o, NULL, 100);		/* no buffer: counting only */
	assert_null(vacpi_reserve(&o, 8));
	assert_int_equal(o.len, 8);
	assert_true(o.overflow);
}

static void test_out_align(void **state)
{
	(void)state;
	vacpi_put8(&out, 1);
	vacpi_align(&out, 0xE0004, 8);		/* 0xE0005 -> 0xE0008 */
	assert_int_equal(out.len, 4);
	assert_bytes(1, 0, 0, 0);
	vacpi_align(&out, 0xE0004, 8);		/* already aligned */
	assert_int_equal(out.len, 4);
	vacpi_align(&out, 0, 64);
	assert_int_equal(out.len, 64);
}

static void test_pkglen_sizes(void **state)
{
	u8 e[4];

	(void)state;
	assert_int_equal(aml_pkglen_size(0), 1);
	assert_int_equal(aml_pkglen_size(62), 1);	/* 63 total */
	assert_int_equal(aml_pkglen_size(63), 2);
	assert_int_equal(aml_pkglen_size(0xFFD), 2);	/* 0xFFF total */
	assert_int_equal(aml_pkglen_size(0xFFE), 3);
	assert_int_equal(aml_pkglen_size(0xFFFFC), 3);
	assert_int_equal(aml_pkglen_size(0xFFFFD), 4);
	assert_int_equal(aml_pkglen_size(0xFFFFFFB), 4);
	assert_int_equal(aml_pkglen_size(0xFFFFFFC), 0);

	assert_int_equal(aml_pkglen_encode(e, 62), 1);
	assert_int_equal(e[0], 0x3F);
	/* 63 + 2 = 65 = 0x41: lead 0x40 | 1, then 0x41 >> 4 */
	assert_int_equal(aml_pkglen_encode(e, 63), 2);
	assert_int_equal(e[0], 0x41);
	assert_int_equal(e[1], 0x04);
	/* 0x12345 - 3 body: total 0x12345 -> 0x85 0x34 0x12 */
	assert_int_equal(aml_pkglen_encode(e, 0x12342), 3);
	assert_int_equal(e[0], 0x85);
	assert_int_equal(e[1], 0x34);
	assert_int_equal(e[2], 0x12);
	assert_int_equal(aml_pkglen_encode(e, 0x1234567 - 4), 4);
	assert_int_equal(e[0], 0xC7);
	assert_int_equal(e[1], 0x56);
	assert_int_equal(e[2], 0x34);
	assert_int_equal(e[3], 0x12);
}

/* Scopes of several sizes: the body slides down behind the final PkgLength. */
static void test_open_close_shrinks(void **state)
{
	(void)state;
	aml_scope_begin(&a, "\\_SB_");
	aml_close(&a);
	assert_bytes(0x10, 0x06, '\\', '_', 'S', 'B', '_');

	for (size_t body = 60; body < 70; body++) {
		setup(NULL);
		vacpi_put8(&out, 0x10);
		aml_open(&a);
		for (size_t i = 0; i < body; i++)
			vacpi_put8(&out, (u8)i);
		aml_close(&a);
		unsigned n = aml_pkglen_size(body);
		assert_int_equal(out.len, 1 + n + body);
		assert_int_equal(buf[1] >> 6, n - 1);
		for (size_t i = 0; i < body; i++)
			assert_int_equal(buf[1 + n + i], (u8)i);
	}

	/* nested: the inner close happens first and the outer sees the shrunk size */
	setup(NULL);
	vacpi_put8(&out, 0x10);
	aml_open(&a);
	vacpi_put8(&out, 0x12);
	aml_open(&a);
	vacpi_put8(&out, 0);
	aml_close(&a);
	aml_close(&a);
	assert_bytes(0x10, 0x04, 0x12, 0x02, 0x00);
}

static void test_open_close_misuse(void **state)
{
	(void)state;
	aml_close(&a);
	assert_true(a.error);

	setup(NULL);
	for (int i = 0; i < AML_MAX_DEPTH; i++)
		aml_open(&a);
	assert_false(a.error);
	aml_open(&a);
	assert_true(a.error);
}

static void test_integers(void **state)
{
	(void)state;
	aml_integer(&a, 0);
	aml_integer(&a, 1);
	aml_integer(&a, 2);
	aml_integer(&a, 0xFF);
	aml_integer(&a, 0x100);
	aml_integer(&a, 0xFFFF);
	aml_integer(&a, 0x10000);
	aml_integer(&a, 0xFFFFFFFF);
	aml_integer(&a, 0x100000000ULL);
	assert_bytes(0x00, 0x01, 0x0A, 0x02, 0x0A, 0xFF, 0x0B, 0x00, 0x01, 0x0B, 0xFF, 0xFF,
		     0x0C, 0x00, 0x00, 0x01, 0x00, 0x0C, 0xFF, 0xFF, 0xFF, 0xFF,
		     0x0E, 0, 0, 0, 0, 1, 0, 0, 0);
}

static void test_string(void **state)
{
	(void)state;
	aml_string(&a, "AB");
	aml_string(&a, "");
	assert_bytes(0x0D, 'A', 'B', 0, 0x0D, 0);
	aml_string(&a, "\x80");
	assert_true(a.error);
}

static void test_name_strings(void **state)
{
	(void)state;
	aml_name_string(&a, "PCI0");
	aml_name_string(&a, "_SB");			/* padded */
	aml_name_string(&a, "\\_SB_.PCI0");
	aml_name_string(&a, "^^A.B.C");
	aml_name_string(&a, "\\");
	assert_bytes('P', 'C', 'I', '0',
		     '_', 'S', 'B', '_',
		     '\\', 0x2E, '_', 'S', 'B', '_', 'P', 'C', 'I', '0',
		     '^', '^', 0x2F, 3, 'A', '_', '_', '_', 'B', '_', '_', '_', 'C', '_', '_', '_',
		     '\\', 0x00);
}

static void test_name_strings_bad(void **state)
{
	static const char *bad[] = { "pci0", "0ABC", "ABCDE", "A..B", "A.", "A-B", ".A", NULL };

	(void)state;
	for (int i = 0; bad[i]; i++) {
		setup(NULL);
		aml_name_string(&a, bad[i]);
		assert_true(a.error);
	}
	setup(NULL);
	aml_name_string(&a, NULL);
	assert_true(a.error);

	assert_true(aml_nameseg_valid("_S5_"));
	assert_true(aml_nameseg_valid("DV0F"));
	assert_false(aml_nameseg_valid("_S5"));
	assert_false(aml_nameseg_valid("1ABC"));
	assert_false(aml_nameseg_valid("ABCDE"));
	assert_false(aml_nameseg_valid("abcd"));
	assert_false(aml_nameseg_valid(NULL));
}

static void test_eisaid(void **state)
{
	(void)state;
	assert_int_equal(aml_eisaid("PNP0A03"), 0x030AD041);
	assert_int_equal(aml_eisaid("PNP0A08"), 0x080AD041);
	assert_int_equal(aml_eisaid("PNP0103"), 0x0301D041);
	assert_int_equal(aml_eisaid("PNP0501"), 0x0105D041);
	assert_true(aml_eisaid_valid("ABC12EF"));
	assert_false(aml_eisaid_valid("PNP0a03"));
	assert_false(aml_eisaid_valid("PN10A03"));
	assert_false(aml_eisaid_valid("PNP0A0"));
	assert_false(aml_eisaid_valid("PNP0A030"));
	assert_false(aml_eisaid_valid("PNP0G03"));
	assert_false(aml_eisaid_valid(NULL));
}

static void test_hid(void **state)
{
	(void)state;
	aml_hid(&a, "PNP0000");		/* small value: still a DWord */
	aml_hid(&a, "INTC1020");
	assert_bytes(0x0C, 0x41, 0xD0, 0x00, 0x00,
		     0x0D, 'I', 'N', 'T', 'C', '1', '0', '2', '0', 0);
	assert_true(aml_hid_valid("ACPI0007"));
	assert_false(aml_hid_valid("INTC102G"));
	assert_false(aml_hid_valid("intc1020"));
	assert_false(aml_hid_valid("INTC10200"));
	assert_false(aml_hid_valid(""));
	aml_hid(&a, "PNP01");
	assert_true(a.error);
}

static void test_named_objects(void **state)
{
	(void)state;
	aml_name_integer(&a, "_UID", 3);
	aml_device_begin(&a, "COM1");
	aml_device_end(&a);
	aml_package_begin(&a, 2);
	aml_integer(&a, 0);
	aml_integer(&a, 1);
	aml_close(&a);
	assert_bytes(0x08, '_', 'U', 'I', 'D', 0x0A, 0x03,
		     0x5B, 0x82, 0x05, 'C', 'O', 'M', '1',
		     0x12, 0x04, 0x02, 0x00, 0x01);
	aml_name_begin(&a, "_S5");		/* not a full segment */
	assert_true(a.error);
}

static u8 sum(const u8 *p, size_t n)
{
	u8 s = 0;

	while (n--)
		s += *p++;
	return s;
}

static void test_restemplate_small(void **state)
{
	(void)state;
	aml_restemplate_begin(&a);
	aml_res_io(&a, 0x3F8, 0x3F8, 1, 8);
	aml_res_irq_noflags(&a, 1 << 4);
	aml_restemplate_end(&a);
	/* Buffer, PkgLength, ByteConst size, IO, IRQ, EndTag + checksum */
	assert_int_equal(out.len, 1 + 1 + 2 + 8 + 3 + 2);
	assert_int_equal(buf[0], 0x11);
	assert_int_equal(buf[1], out.len - 1);
	assert_int_equal(buf[2], 0x0A);
	assert_int_equal(buf[3], 13);
	assert_memory_equal(buf + 4, ((u8[]){ 0x47, 0x01, 0xF8, 0x03, 0xF8, 0x03, 0x01, 0x08,
					      0x22, 0x10, 0x00, 0x79 }), 12);
	assert_int_equal(sum(buf + 4, 13), 0);
	assert_false(a.error);
}

static void test_restemplate_word_size(void **state)
{
	(void)state;
	aml_restemplate_begin(&a);
	for (int i = 0; i < 7; i++)		/* 7 * 46 + 2 = 324 bytes */
		aml_res_qword_mem(&a, true, 0x100000000ULL * (i + 1), 0x1000);
	aml_restemplate_end(&a);
	assert_false(a.error);
	assert_int_equal(buf[0], 0x11);
	/* PkgLength of 2 bytes, then WordConst 324 */
	assert_int_equal(buf[1] >> 6, 1);
	assert_int_equal(buf[3], 0x0B);
	assert_int_equal(buf[4] | buf[5] << 8, 324);
	assert_int_equal(out.len, 1 + 2 + 3 + 324);
	assert_int_equal(buf[6], 0x8A);
	assert_int_equal(buf[6 + 322], 0x79);
	assert_int_equal(sum(buf + 6, 324), 0);
}

static void test_restemplate_misuse(void **state)
{
	(void)state;
	aml_res_io(&a, 0, 0, 1, 1);		/* outside a template */
	assert_true(a.error);

	setup(NULL);
	aml_restemplate_end(&a);
	assert_true(a.error);

	setup(NULL);
	aml_restemplate_begin(&a);
	aml_restemplate_begin(&a);
	assert_true(a.error);

	setup(NULL);
	aml_restemplate_begin(&a);
	aml_res_dword_mem(&a, false, 0xFFFFF000, 0x2000);	/* wraps */
	assert_true(a.error);

	setup(NULL);
	aml_restemplate_begin(&a);
	aml_res_word_bus(&a, 5, 4);
	assert_true(a.error);
}

static void test_res_descriptors(void **state)
{
	(void)state;
	a.in_res = true;		/* descriptors alone */
	aml_res_mem32_fixed(&a, true, 0xFED00000, 0x400);
	aml_res_word_bus(&a, 0, 3);
	aml_res_dword_mem(&a, false, 0xC0000000, 0x20000000);
	aml_res_ext_irq(&a, VACPI_IRQ_LEVEL | VACPI_IRQ_ACTIVE_LOW | VACPI_IRQ_SHARED, 20);
	aml_res_ext_irq(&a, 0, 5);
	assert_bytes(0x86, 9, 0, 1, 0x00, 0x00, 0xD0, 0xFE, 0x00, 0x04, 0x00, 0x00,
		     0x88, 13, 0, 2, 0x0C, 0, 0, 0, 0, 0, 3, 0, 0, 0, 4, 0,
		     0x87, 23, 0, 0, 0x0C, 0x01, 0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF, 0xFF, 0xDF,
		     0, 0, 0, 0, 0, 0, 0, 0x20,
		     0x89, 6, 0, 0x0D, 1, 20, 0, 0, 0,
		     0x89, 6, 0, 0x03, 1, 5, 0, 0, 0);
}

/* Emitting into a short buffer never writes past it and counts the same. */
static void test_overflow_same_length(void **state)
{
	u8 small[16];
	struct vacpi_out o;
	struct aml b;
	size_t full;

	(void)state;
	for (int pass = 0; pass < 2; pass++) {
		memset(small, 0x77, sizeof(small));
		vacpi_out_init(&o, pass ? small : buf, pass ? 10 : sizeof(buf));
		aml_init(&b, &o);
		aml_scope_begin(&b, "\\_SB_");
		aml_device_begin(&b, "DEV0");
		aml_name_begin(&b, "_CRS");
		aml_restemplate_begin(&b);
		aml_res_mem32_fixed(&b, true, 0x1000, 0x1000);
		aml_restemplate_end(&b);
		aml_device_end(&b);
		aml_scope_end(&b);
		assert_false(b.error);
		if (!pass) {
			full = o.len;
			assert_false(o.overflow);
		} else {
			assert_true(o.overflow);
			assert_int_equal(o.len, full);
			assert_int_equal(small[10], 0x77);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_out_little_endian_and_overflow, setup),
		cmocka_unit_test_setup(test_out_align, setup),
		cmocka_unit_test_setup(test_pkglen_sizes, setup),
		cmocka_unit_test_setup(test_open_close_shrinks, setup),
		cmocka_unit_test_setup(test_open_close_misuse, setup),
		cmocka_unit_test_setup(test_integers, setup),
		cmocka_unit_test_setup(test_string, setup),
		cmocka_unit_test_setup(test_name_strings, setup),
		cmocka_unit_test_setup(test_name_strings_bad, setup),
		cmocka_unit_test_setup(test_eisaid, setup),
		cmocka_unit_test_setup(test_hid, setup),
		cmocka_unit_test_setup(test_named_objects, setup),
		cmocka_unit_test_setup(test_restemplate_small, setup),
		cmocka_unit_test_setup(test_restemplate_word_size, setup),
		cmocka_unit_test_setup(test_restemplate_misuse, setup),
		cmocka_unit_test_setup(test_res_descriptors, setup),
		cmocka_unit_test_setup(test_overflow_same_length, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
