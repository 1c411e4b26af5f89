/*
 * A VM's device areas and the hypervisor's own ranges (dm/vm_layout.c): the
 * boot-time check behind genconfig's, for a config edited by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "vm_layout.h"

static const struct board_ioapic ioapics[] = { { .base = 0xFEC00000 }, { .base = 0xFEC01000 } };
static const struct board_iommu iommus[] = { { .base = 0xFED90000, .size = 0x1000 } };
static const struct board_config board = {
	.nr_ioapics = 2, .ioapics = ioapics, .nr_iommus = 1, .iommus = iommus,
	.pci_ecam_base = 0xB0000000, .pci_ecam_start_bus = 0, .pci_ecam_end_bus = 255,
};

static void test_vm_device_areas(void **state)
{
	(void)state;
	assert_null(vm_layout_device_at(0, 0x8000000));			/* low RAM, vACPI included */
	assert_null(vm_layout_device_at(0xE0000, 0x20000));		/* vACPI lives in RAM */
	assert_null(vm_layout_device_at(0x100000000ULL, 0x40000000));	/* above 4 GiB */
	assert_null(vm_layout_device_at(0xBFFFF000, 0x1000));
	assert_non_null(strstr(vm_layout_device_at(0xBFFFF000, 0x2000), "PCI BAR window"));
	assert_non_null(strstr(vm_layout_device_at(0xD0000000, 0x1000), "PCI BAR window"));
	assert_non_null(strstr(vm_layout_device_at(0xE0000000, 0x1000), "ECAM"));
	assert_null(vm_layout_device_at(0xE0100000, 0x1000));		/* past bus 0 */
	assert_non_null(strstr(vm_layout_device_at(0xFEC00000, 0x1000), "IOAPIC"));
	assert_non_null(strstr(vm_layout_device_at(0xFEE00FFF, 1), "LAPIC"));
	assert_null(vm_layout_device_at(0xFEE01000, 0x1000));
	/* a range over all of 4 GiB hits the first one */
	assert_non_null(vm_layout_device_at(0, 0x100000000ULL));
}

static void test_host_owned(void **state)
{
	(void)state;
	assert_non_null(strstr(vm_layout_host_owned(&board, 0xFEE00000, 0x1000), "LAPIC"));
	assert_non_null(strstr(vm_layout_host_owned(NULL, 0xFEE00000, 0x1000), "LAPIC"));
	assert_non_null(strstr(vm_layout_host_owned(&board, 0xFEC00000, 0x1000), "IOAPIC"));
	assert_non_null(strstr(vm_layout_host_owned(&board, 0xFEC01000, 0x1000), "IOAPIC"));
	assert_non_null(strstr(vm_layout_host_owned(&board, 0xFED90000, 0x1000), "VT-d"));
	assert_non_null(strstr(vm_layout_host_owned(&board, 0xB0100000, 0x1000), "ECAM"));
	assert_non_null(strstr(vm_layout_host_owned(&board, 0xBFFFF000, 0x1000), "ECAM"));
	assert_null(vm_layout_host_owned(&board, 0xC0000000, 0x1000));	/* past bus 255 */
	assert_null(vm_layout_host_owned(&board, 0xFED00000, 0x1000));	/* the HPET: a device */
	assert_null(vm_layout_host_owned(&board, 0xFEC02000, 0x1000));
	assert_null(vm_layout_host_owned(NULL, 0xFEC00000, 0x1000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vm_device_areas),
		cmocka_unit_test(test_host_owned),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
