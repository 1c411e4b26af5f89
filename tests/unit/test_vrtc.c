/* A pre-launched VM's CMOS RTC (dm/vrtc.c): its registers over time and formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "lib.h"
#include "vm.h"
#include "vrtc.h"

/* what the port glue links against; the tests use the pure functions */
u64 tsc_khz = 1;
int vm_register_pio(struct vm *vm, u16 base, u16 len, pio_read_fn rd, pio_write_fn wr, void *opaque)
{
	(void)vm; (void)base; (void)len; (void)rd; (void)wr; (void)opaque;
	return 0;
}

static struct vrtc r;

static u64 at(unsigned days, unsigned h, unsigned m, unsigned s)
{
	return (u64)days * 86400 + h * 3600 + m * 60 + s;
}

/* Update-in-progress never reads set: Linux's poll for it ends at once. */
static void test_no_uip(void **state)
{
	(void)state;
	vrtc_reset(&r, 0);
	assert_int_equal(vrtc_reg_read(&r, 0x0A, 0) & 0x80, 0);
	vrtc_reg_write(&r, 0x0A, 0xA6);
	assert_int_equal(vrtc_reg_read(&r, 0x0A, 5), 0x26);
	assert_int_equal(vrtc_reg_read(&r, 0x0D, 0), 0x80);	/* valid RAM and time */
	assert_int_equal(vrtc_reg_read(&r, 0x0C, 0), 0);
}

/* BCD, 24 hours: the epoch and a later time, across a leap day */
static void test_bcd_time(void **state)
{
	u64 t;

	(void)state;
	vrtc_reset(&r, 0);
	assert_int_equal(vrtc_reg_read(&r, 0x09, 0), 0x00);	/* 2000-01-01 */
	assert_int_equal(vrtc_reg_read(&r, 0x08, 0), 0x01);
	assert_int_equal(vrtc_reg_read(&r, 0x07, 0), 0x01);
	assert_int_equal(vrtc_reg_read(&r, 0x32, 0), 0x20);
	assert_int_equal(vrtc_reg_read(&r, 0x06, 0), 7);	/* Saturday */
	/* 2000-02-29 23:59:58: day 59 (leap year) */
	t = at(59, 23, 59, 58);
	assert_int_equal(vrtc_reg_read(&r, 0x08, t), 0x02);
	assert_int_equal(vrtc_reg_read(&r, 0x07, t), 0x29);
	assert_int_equal(vrtc_reg_read(&r, 0x04, t), 0x23);
	assert_int_equal(vrtc_reg_read(&r, 0x02, t), 0x59);
	assert_int_equal(vrtc_reg_read(&r, 0x00, t), 0x58);
	/* two seconds on: 2000-03-01 00:00:00, a Wednesday */
	t += 2;
	assert_int_equal(vrtc_reg_read(&r, 0x08, t), 0x03);
	assert_int_equal(vrtc_reg_read(&r, 0x07, t), 0x01);
	assert_int_equal(vrtc_reg_read(&r, 0x04, t), 0x00);
	assert_int_equal(vrtc_reg_read(&r, 0x06, t), 4);
	/* 2001-01-01: 366 days in */
	t = at(366, 0, 0, 0);
	assert_int_equal(vrtc_reg_read(&r, 0x09, t), 0x01);
	assert_int_equal(vrtc_reg_read(&r, 0x08, t), 0x01);
	assert_int_equal(vrtc_reg_read(&r, 0x07, t), 0x01);
}

/* Binary and 12-hour formats as register B asks; time registers ignore writes */
static void test_formats(void **state)
{
	u64 t = at(0, 13, 5, 9);

	(void)state;
	vrtc_reset(&r, 0);
	vrtc_reg_write(&r, 0x0B, 0x04);				/* binary, 12 hours */
	assert_int_equal(vrtc_reg_read(&r, 0x04, t), 0x80 | 1);	/* 1 PM */
	assert_int_equal(vrtc_reg_read(&r, 0x00, t), 9);
	assert_int_equal(vrtc_reg_read(&r, 0x04, at(0, 0, 0, 0)), 12);	/* midnight: 12 AM */
	vrtc_reg_write(&r, 0x0B, 0x06);				/* binary, 24 hours */
	assert_int_equal(vrtc_reg_read(&r, 0x04, t), 13);
	vrtc_reg_write(&r, 0x00, 0x30);
	assert_int_equal(vrtc_reg_read(&r, 0x00, t), 9);
}

/* CMOS RAM keeps what is written; past it reads float */
static void test_ram(void **state)
{
	(void)state;
	vrtc_reset(&r, 0);
	vrtc_reg_write(&r, 0x40, 0x5A);
	vrtc_reg_write(&r, 0x01, 0x33);		/* alarm seconds: kept */
	assert_int_equal(vrtc_reg_read(&r, 0x40, 0), 0x5A);
	assert_int_equal(vrtc_reg_read(&r, 0x01, 0), 0x33);
	assert_int_equal(vrtc_reg_read(&r, 0x41, 0), 0);
	assert_int_equal(vrtc_reg_read(&r, 0x80, 0), 0xFF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_uip),
		cmocka_unit_test(test_bcd_time),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_ram),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
