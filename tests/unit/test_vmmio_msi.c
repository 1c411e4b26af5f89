/*
 * MMIO devices that send their own MSIs (dm/vmmio/vmmio_msi.c): an HPET is
 * one when any timer has FSB delivery; such a device goes to a VM only with
 * interrupt remapping or a VM trusted with unprotected DMA. The HPET is a
 * register file in host memory here (the hypervisor's physical addresses
 * are host addresses in unit tests).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "vm.h"
#include "vmmio.h"
#include "vtd.h"

static bool ir_on;
bool vtd_ir_active(void) { return ir_on; }
bool vtd_active(void) { return ir_on; }	/* remapping interrupts implies DMA remapping on */

/* the page EPT maps for it: 32 timers (the most GCAP can name) fit in it */
static u32 hpet[PAGE_SIZE / 4] __attribute__((aligned(4096)));

/* an HPET with n timers, FSB capability on the timers in fsb_mask */
static void hpet_make(unsigned n, u32 fsb_mask)
{
	memset(hpet, 0, sizeof(hpet));
	hpet[0] = 0x8086A201 & ~(0x1fu << 8);
	hpet[0] |= (n - 1) << 8;
	for (unsigned t = 0; t < n; t++)
		hpet[(0x100 + 0x20 * t) / 4] = 0x30 | (fsb_mask & BIT(t) ? BIT(15) : 0);
}

#define HPET_SIZE 0x400		/* its ACPI range: room for 24 timers */

static struct board_res_range hpet_range, uart_range;
static struct board_acpi_dev devs[2] = {
	{ .hid = "PNP0103", .uid = "0", .nr_mmio = 1, .mmio = &hpet_range },
	{ .hid = "PNP0501", .uid = "1", .nr_mmio = 1, .mmio = &uart_range },
};
#define hpet_dev devs[0]
#define uart_dev devs[1]
static const struct board_config board = { .nr_acpi_devs = 2, .acpi_devs = devs };
const struct scenario_config scenario = { .board_info = &board };

static u32 read_hpet(u64 hpa)
{
	return *(volatile u32 *)(uintptr_t)hpa;
}

u32 vmmio_hw_read32(u64 hpa)
{
	return read_hpet(hpa);
}

#define HPA ((u64)(uintptr_t)hpet)

static int setup(void **state)
{
	(void)state;
	hpet_range = (struct board_res_range){ HPA, HPET_SIZE };
	uart_range = (struct board_res_range){ HPA + 0x800, 8 };
	return 0;
}

static void test_fsb_capable_timers(void **state)
{
	(void)state;
	hpet_make(3, 0);
	assert_false(vmmio_dev_sends_msi(&hpet_dev, HPA, HPET_SIZE, read_hpet));
	hpet_make(3, BIT(2));			/* only the last timer */
	assert_true(vmmio_dev_sends_msi(&hpet_dev, HPA, HPET_SIZE, read_hpet));
	hpet_make(24, BIT(23));			/* the last timer that fits in the range */
	assert_true(vmmio_dev_sends_msi(&hpet_dev, HPA, HPET_SIZE, read_hpet));
	hpet_make(32, 0);			/* timers past the range: not read, so assumed */
	assert_true(vmmio_dev_sends_msi(&hpet_dev, HPA, HPET_SIZE, read_hpet));
	assert_false(vmmio_dev_sends_msi(&hpet_dev, HPA, PAGE_SIZE, read_hpet));
	hpet_make(24, 0);			/* 24 fit exactly */
	assert_false(vmmio_dev_sends_msi(&hpet_dev, HPA, HPET_SIZE, read_hpet));
	hpet_make(2, 0);			/* a bit past the last timer is not a timer */
	hpet[(0x100 + 0x20 * 2) / 4] |= BIT(15);
	assert_false(vmmio_dev_sends_msi(&hpet_dev, HPA, HPET_SIZE, read_hpet));
	memset(hpet, 0xff, sizeof(hpet));	/* nothing answers: assume it can */
	assert_true(vmmio_dev_sends_msi(&hpet_dev, HPA, HPET_SIZE, read_hpet));
	/* other devices and raw regions are not probed */
	assert_false(vmmio_dev_sends_msi(&uart_dev, HPA, HPET_SIZE, read_hpet));
	assert_false(vmmio_dev_sends_msi(NULL, HPA, HPET_SIZE, read_hpet));
}

static void test_policy(void **state)
{
	struct vm_config trusted = { .flags = VM_FLAG_UNPROTECTED_DMA }, plain = { 0 };
	struct vm vm = { .name = "vm", .cfg = &plain };

	(void)state;
	hpet_make(3, 0);
	ir_on = false;
	assert_int_equal(vmmio_msi_check(&vm, HPA, HPET_SIZE), 0);	/* no FSB: fine */
	hpet_make(3, BIT(0));
	assert_int_equal(vmmio_msi_check(&vm, HPA, HPET_SIZE), -EPERM);
	vm.cfg = &trusted;
	assert_int_equal(vmmio_msi_check(&vm, HPA, HPET_SIZE), 0);	/* trusted, with a warning */
	vm.cfg = &plain;
	ir_on = true;
	assert_int_equal(vmmio_msi_check(&vm, HPA, HPET_SIZE), 0);	/* remapped: blocked anyway */
	ir_on = false;
	assert_int_equal(vmmio_msi_check(&vm, HPA + 0x800, 8), 0);
	/* a raw region over the HPET's page counts as the HPET; one beside it does not */
	assert_int_equal(vmmio_msi_check(&vm, HPA, PAGE_SIZE), -EPERM);
	assert_int_equal(vmmio_msi_check(&vm, HPA + PAGE_SIZE, PAGE_SIZE), 0);
	/* a device range that misses [hpa, +size) is not checked */
	assert_int_equal(vmmio_msi_check(&vm, HPA + PAGE_SIZE, PAGE_SIZE), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_fsb_capable_timers, setup),
		cmocka_unit_test_setup(test_policy, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
