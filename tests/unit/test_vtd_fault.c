/* Unit tests for fault record decoding, naming and the rate limit (vtd/fault_decode.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "pci.h"
#include "vtd_fault.h"

#define F_BIT BIT(63)

static void test_decode_dma(void **state)
{
	struct vtd_fault f;
	char s[160];

	(void)state;
	/* write fault: T clear, FI = page address, FR 5, SID 00:03.0 */
	vtd_fault_decode(0x1084000, F_BIT | (0x05ULL << 32) | 0x18, &f);
	assert_false(f.ir);
	assert_false(f.read);
	assert_int_equal(f.sid, 0x18);
	assert_int_equal(f.reason, VTD_FR_WRITE);
	assert_int_equal(f.addr, 0x1084000);
	vtd_fault_format(&f, s, sizeof(s));
	assert_string_equal(s, "DMA write from 00:03.0 addr 0x1084000: reason 0x05 "
			       "(write to a page not mapped writable)");
	/* read fault: T set; low bits of FI are not part of the address */
	vtd_fault_decode(0xff0abc, F_BIT | BIT(62) | (0x06ULL << 32) | PCI_BDF(0x12, 0x1f, 7), &f);
	assert_true(f.read);
	assert_int_equal(f.addr, 0xff0000);
	assert_int_equal(f.sid, PCI_BDF(0x12, 0x1f, 7));
	vtd_fault_format(&f, s, sizeof(s));
	assert_string_equal(s, "DMA read from 12:1f.7 addr 0xff0000: reason 0x06 "
			       "(read from a page not mapped readable)");
	vtd_fault_decode(0, F_BIT | (0x02ULL << 32), &f);
	assert_string_equal(vtd_fault_reason_str(f.reason), "context entry not present (device blocked)");
}

static void test_decode_ir(void **state)
{
	struct vtd_fault f;
	char s[160];

	(void)state;
	/* interrupt fault: FI[63:48] = index, FR 0x26 */
	vtd_fault_decode(0x0005000000000000ULL, F_BIT | (0x26ULL << 32) | 0x18, &f);
	assert_true(f.ir);
	assert_int_equal(f.index, 5);
	assert_int_equal(f.addr, 0);
	assert_int_equal(f.reason, VTD_FR_IR_SID);
	vtd_fault_format(&f, s, sizeof(s));
	assert_string_equal(s, "interrupt from 00:03.0 index 5: reason 0x26 (source-id check failed)");
	vtd_fault_decode(0xffff000000000000ULL, F_BIT | (0x22ULL << 32), &f);
	assert_true(f.ir);
	assert_int_equal(f.index, 0xffff);
	assert_string_equal(vtd_fault_reason_str(0x22), "IRTE not present");
	assert_string_equal(vtd_fault_reason_str(0x99), "unknown reason");
	/* a short buffer is cut, not overrun */
	assert_true(vtd_fault_format(&f, s, 10) > 10);
	assert_int_equal(strlen(s), 9);
}

static void test_ratelimit(void **state)
{
	struct vtd_ratelimit rl = { 0 };
	unsigned dropped, printed = 0;

	(void)state;
	for (int i = 0; i < 5; i++) {
		printed += vtd_ratelimit_allow(&rl, 1000, 100, 3, &dropped);
		assert_int_equal(dropped, 0);
	}
	assert_int_equal(printed, 3);
	assert_false(vtd_ratelimit_allow(&rl, 1099, 100, 3, &dropped));
	assert_int_equal(dropped, 0);
	/* a new window: the suppressed count is handed back once */
	assert_true(vtd_ratelimit_allow(&rl, 1100, 100, 3, &dropped));
	assert_int_equal(dropped, 3);
	assert_true(vtd_ratelimit_allow(&rl, 1101, 100, 3, &dropped));
	assert_int_equal(dropped, 0);
	assert_true(vtd_ratelimit_allow(&rl, 1500, 100, 3, &dropped));
	assert_int_equal(dropped, 0);
	/* time going backwards starts a window rather than muting forever */
	for (int i = 0; i < 3; i++)
		vtd_ratelimit_allow(&rl, 1500, 100, 3, &dropped);
	assert_true(vtd_ratelimit_allow(&rl, 5, 100, 3, &dropped));
	assert_int_equal(dropped, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_dma),
		cmocka_unit_test(test_decode_ir),
		cmocka_unit_test(test_ratelimit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
