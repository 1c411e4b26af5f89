/*
 * MMIO passthrough for boot VMs (dm/vmmio/vmmio_pt.c) on a fake EPT: each
 * region the scenario gives a VM mapped uncached at its page span, all of
 * them unmapped at release; a region refused for what cannot be given
 * safely (a page offset that differs, the hypervisor's own ranges, the
 * VM's device area, its RAM or an emulated device, an MSI sender, a device
 * with interrupts) fails the VM's build and leaves nothing mapped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "vm.h"
#include "ept.h"
#include "io_emul.h"
#include "vm_unit.h"
#include "vmmio.h"

#define HPET	0xFED00000ULL
#define MSI_DEV	0xFE100000ULL		/* vmmio_msi_check refuses it */

static const struct board_ioapic ioapic = { .base = 0xFEC00000 };
static const struct board_config board = { .nr_ioapics = 1, .ioapics = &ioapic };
const struct scenario_config scenario = { .board_info = &board };

static const u32 irq5 = 5;
static const struct board_acpi_dev hpet_dev = { .hid = "PNP0103" };
static const struct board_acpi_dev uart_dev = { .hid = "PNP0501", .nr_irqs = 1, .irqs = &irq5 };

static struct vm_mmio_dev regions[2];
static struct vm_config cfg = { .name = "pre", .nr_mem = 1, .mmio_devs = regions,
				.mem = { { .gpa = 0, .hpa = 0x40000000, .size = 0x10000000 } } };
static struct vm vm;

#define MAPS 8
static struct { u64 gpa, hpa, size, prot; unsigned mt; } maps[MAPS];
static unsigned nr_maps;

int ept_map(struct vm *m, u64 gpa, u64 hpa, u64 size, u64 prot, unsigned memtype)
{
	assert_ptr_equal(m, &vm);
	assert_true(nr_maps < MAPS);
	maps[nr_maps].gpa = gpa, maps[nr_maps].hpa = hpa, maps[nr_maps].size = size;
	maps[nr_maps].prot = prot, maps[nr_maps].mt = memtype;
	nr_maps++;
	return 0;
}

int ept_unmap(struct vm *m, u64 gpa, u64 size)
{
	assert_ptr_equal(m, &vm);
	for (unsigned i = 0; i < nr_maps; i++)
		if (maps[i].gpa == gpa) {
			assert_int_equal(maps[i].size, size);
			maps[i] = maps[--nr_maps];
			return 0;
		}
	return 0;
}

/* The VM's emulated devices: one window at 0x90000000. */
const struct mmio_handler *vm_find_mmio(const struct vm *m, u64 gpa, unsigned size)
{
	static const struct mmio_handler h = { .base = 0x90000000, .len = 0x1000 };

	(void)m;
	return gpa >= h.base && gpa + size <= h.base + h.len ? &h : NULL;
}

int vmmio_msi_check(const struct vm *m, u64 hpa, u64 size)
{
	(void)m;
	return ranges_overlap(hpa, size, MSI_DEV, PAGE_SIZE) ? -EPERM : 0;
}

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(regions, 0, sizeof(regions));
	vm.cfg = &cfg;
	vm.name = "pre";
	nr_maps = 0;
	/* an HPET (1 KiB: its page), and a raw region seen at another GPA */
	regions[0] = (struct vm_mmio_dev){ HPET, HPET, 0x400, &hpet_dev };
	regions[1] = (struct vm_mmio_dev){ 0x80000000, 0xF0000000, 0x2000, NULL };
	cfg.nr_mmio_devs = 2;
	return 0;
}

static void test_mapped_and_released(void **state)
{
	(void)state;
	assert_int_equal(vmmio_unit.init(&vm), 0);
	assert_int_equal(nr_maps, 2);
	assert_int_equal(maps[0].gpa, HPET);
	assert_int_equal(maps[0].hpa, HPET);
	assert_int_equal(maps[0].size, PAGE_SIZE);
	assert_int_equal(maps[0].prot, EPT_R | EPT_W);		/* never executable */
	assert_int_equal(maps[0].mt, EPT_MT_UC);
	assert_int_equal(maps[1].gpa, 0x80000000);
	assert_int_equal(maps[1].hpa, 0xF0000000);
	assert_int_equal(maps[1].size, 0x2000);
	assert_int_equal(maps[1].mt, EPT_MT_UC);
	vmmio_unit.release(&vm);
	assert_int_equal(nr_maps, 0);
	/* a region off a page boundary: the pages holding it */
	regions[1] = (struct vm_mmio_dev){ 0x80000800, 0xF0000800, 0x1000, NULL };
	assert_int_equal(vmmio_unit.init(&vm), 0);
	assert_int_equal(maps[1].gpa, 0x80000000);
	assert_int_equal(maps[1].hpa, 0xF0000000);
	assert_int_equal(maps[1].size, 0x2000);
	vmmio_unit.release(&vm);
	assert_int_equal(nr_maps, 0);
	/* the unit is the boot VMs' only */
	assert_true(vmmio_unit.kinds & BIT(VM_PRE_LAUNCHED));
	assert_false(vmmio_unit.kinds & BIT(VM_POST_LAUNCHED));
}

/*
 * Region 1 as given is refused with err: the build fails, and region 0,
 * mapped first, is not left behind (a unit that fails leaves nothing,
 * include/vm_unit.h).
 */
static void assert_refused(struct vm_mmio_dev r, int err)
{
	regions[1] = r;
	nr_maps = 0;
	assert_int_equal(vmmio_unit.init(&vm), err);
	assert_int_equal(nr_maps, 0);
}

static void test_refused(void **state)
{
	(void)state;
	assert_refused((struct vm_mmio_dev){ 0x80000000, 0xF0000000, 0, NULL }, -EINVAL);
	assert_refused((struct vm_mmio_dev){ 0x80000800, 0xF0000000, 0x100, NULL }, -EINVAL);
	/* the hypervisor's: the host LAPIC, an IOAPIC */
	assert_refused((struct vm_mmio_dev){ 0x80000000, 0xFEE00000, 0x1000, NULL }, -EPERM);
	assert_refused((struct vm_mmio_dev){ 0x80000000, 0xFEBFF000, 0x2000, NULL }, -EPERM);
	/* the VM's own device area, RAM, emulated devices (first or last page) */
	assert_refused((struct vm_mmio_dev){ 0xC0001000, 0xF0000000, 0x1000, NULL }, -EINVAL);
	assert_refused((struct vm_mmio_dev){ 0x0FFFF000, 0xF0000000, 0x2000, NULL }, -EINVAL);
	assert_refused((struct vm_mmio_dev){ 0x90000000, 0xF0000000, 0x1000, NULL }, -EINVAL);
	assert_refused((struct vm_mmio_dev){ 0x8FFFF000, 0xF0000000, 0x2000, NULL }, -EINVAL);
	/* it sends MSIs of its own (no interrupt remapping), or has interrupts at all */
	assert_refused((struct vm_mmio_dev){ 0x80000000, MSI_DEV, 0x1000, NULL }, -EPERM);
	assert_refused((struct vm_mmio_dev){ 0x80000000, 0xF0000000, 0x8, &uart_dev }, -ENOTSUP);
	/* the same region at another GPA is fine */
	regions[1] = (struct vm_mmio_dev){ 0x80000000, 0xF0000000, 0x8, &hpet_dev };
	assert_int_equal(vmmio_unit.init(&vm), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mapped_and_released, setup),
		cmocka_unit_test_setup(test_refused, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
