/*
 * A board device's register (dm/vmmio/vmmio_hw.c): read where the
 * hypervisor maps it (the low 4 GiB; a page mapped there for the test),
 * all ones above, where nothing of the host is mapped for it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>
#include "lib.h"
#include "vmmio.h"

#define LOW_PAGE 0x7F000000UL		/* below 4 GiB, away from what the host maps */

static void test_read32(void **state)
{
	volatile u32 *reg = mmap((void *)LOW_PAGE, PAGE_SIZE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	(void)state;
	assert_ptr_equal(reg, (void *)LOW_PAGE);
	reg[0] = 0x8086A201;
	reg[0x3FF] = 0x12345678;
	assert_int_equal(vmmio_hw_read32(LOW_PAGE), 0x8086A201);
	assert_int_equal(vmmio_hw_read32(LOW_PAGE + PAGE_SIZE - 4), 0x12345678);
	/* a register reaching past 4 GiB: nobody there */
	assert_int_equal(vmmio_hw_read32(0xFFFFFFFEULL), 0xFFFFFFFF);
	assert_int_equal(vmmio_hw_read32(1ULL << 40), 0xFFFFFFFF);
	munmap((void *)reg, PAGE_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read32),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
