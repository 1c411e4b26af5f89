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

static const struct board_acpi_dev hpet_dev = { .hid = "PNP0103", .uid = "0" };
static const struct board_acpi_dev uart_dev = { .hid = "PNP0501", .uid = "1" };

static u32 read_hpet(u64 hpa)
{
	return *(volatile u32 *)(uintptr_t)hpa;
}

#define HPA ((u64)(uintptr_t)hpet)

static void test_fsb_capable_timers(void **state)
{
	(void)state;
	hpet_make(3, 0);
	assert_false(vmmio_dev_sends_msi(&hpet_dev, HPA, read_hpet));
	hpet_make(3, BIT(2));			/* only the last timer */
	assert_true(vmmio_dev_sends_msi(&hpet_dev, HPA, read_hpet));
	hpet_make(32, BIT(31));			/* the most a GCAP can name */
	assert_true(vmmio_dev_sends_msi(&hpet_dev, HPA, read_hpet));
	hpet_make(2, BIT(2));			/* a bit past the last timer is not a timer */
	assert_false(vmmio_dev_sends_msi(&hpet_dev, HPA, read_hpet));
	memset(hpet, 0xff, sizeof(hpet));	/* nothing answers: assume it can */
	assert_true(vmmio_dev_sends_msi(&hpet_dev, HPA, read_hpet));
	/* other devices and raw regions are not probed */
	assert_false(vmmio_dev_sends_msi(&uart_dev, HPA, read_hpet));
	assert_false(vmmio_dev_sends_msi(NULL, HPA, read_hpet));
}

static void test_policy(void **state)
{
	struct vm_config trusted = { .flags = VM_FLAG_UNPROTECTED_DMA }, plain = { 0 };
	struct vm vm = { .name = "vm", .cfg = &plain };

	(void)state;
	hpet_make(3, 0);
	ir_on = false;
	assert_int_equal(vmmio_msi_check(&vm, &hpet_dev, HPA), 0);	/* no FSB: fine */
	hpet_make(3, BIT(0));
	assert_int_equal(vmmio_msi_check(&vm, &hpet_dev, HPA), -EPERM);
	vm.cfg = &trusted;
	assert_int_equal(vmmio_msi_check(&vm, &hpet_dev, HPA), 0);	/* trusted, with a warning */
	vm.cfg = &plain;
	ir_on = true;
	assert_int_equal(vmmio_msi_check(&vm, &hpet_dev, HPA), 0);	/* remapped: blocked anyway */
	ir_on = false;
	assert_int_equal(vmmio_msi_check(&vm, &uart_dev, HPA), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fsb_capable_timers),
		cmocka_unit_test(test_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
