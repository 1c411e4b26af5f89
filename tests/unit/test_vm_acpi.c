/*
 * A VM's ACPI tables as vmm/vm_acpi.c describes them to the builder (faked
 * here: what it is asked for is the point): its vCPUs, its PCI bus and
 * INTx routes, the RTC's IRQ only where the VM has the line and its
 * vIOAPIC decides it, the HPET where its lines are the VM's, one DSDT
 * device per board device (its ranges gathered, raw regions left out,
 * names only of 4 characters); placed at 0xE0000 in its RAM and reserved
 * in its e820; refused when they do not fit or there is no RAM there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "e820.h"
#include "vacpi.h"
#include "vmm_internal.h"
#include "vm_unit.h"

static struct vm vm;
static struct vm_config cfg;
static u8 bios[0x20000];		/* its RAM at 0xE0000 */
static const struct board_acpi_dev hpet = { .hid = "PNP0103", .uid = "0", .name = "HPET" };
static const struct board_acpi_dev gpio = { .hid = "INTC1020", .uid = "1", .name = "GPIO0" };
static struct vm_mmio_dev mmio[4];
static struct {
	struct vacpi_vm t;		/* what the builder got */
	struct vacpi_mmio_dev devs[VACPI_MAX_DEVS];
	struct vacpi_prt_entry prt[2];
	int size, build_err;
	bool rtc, hpet, ram;
	struct vm *line8;
	unsigned mode8;
	void *buf;
} fk;

void vacpi_vm_defaults(struct vacpi_vm *t, unsigned nr_vcpus) { memset(t, 0, sizeof(*t)); t->nr_vcpus = nr_vcpus; }
void vm_vpci_windows(u64 *base, u64 *size, u64 *ecam) { *base = 0xC0000000, *size = 0x20000000, *ecam = 0xE0000000; }
u8 vm_vpci_end_bus(const struct vm *m) { (void)m; return 3; }
unsigned vm_vpci_prt(const struct vm *m, struct vacpi_prt_entry *prt, unsigned max)
{
	(void)m;
	assert_true(max >= 2);
	memcpy(prt, fk.prt, sizeof(fk.prt));
	return 2;
}
bool vm_has_host_rtc(const struct vm *m) { (void)m; return fk.rtc; }
struct vm *ptirq_intx_owner(u32 gsi) { return gsi == 8 ? fk.line8 : NULL; }
unsigned ptirq_route_mode(u32 gsi) { return gsi == 8 ? fk.mode8 : 0; }
bool isa_irq_hpet(const struct vm *m, u64 *gpa, u32 *gcap)
{
	(void)m;
	*gpa = 0xFED00000;
	*gcap = 0x8086A201;
	return fk.hpet;
}
void *vm_gpa_to_hva(const struct vm *m, u64 gpa, u64 len)
{
	assert_ptr_equal(m, &vm);
	return fk.ram && gpa >= 0xE0000 && gpa + len <= 0x100000 ? bios + (gpa - 0xE0000) : NULL;
}

int vacpi_size(const struct vacpi_vm *t, u64 gpa)
{
	assert_int_equal(gpa, VACPI_BIOS_GPA);
	fk.t = *t;
	memcpy(fk.devs, t->devs, t->nr_devs * sizeof(*t->devs));
	return fk.size;
}

int vacpi_build(const struct vacpi_vm *t, u64 gpa, void *buf, size_t size, struct vacpi_layout *lay)
{
	(void)t;
	assert_int_equal(gpa, VACPI_BIOS_GPA);
	assert_int_equal(size, fk.size);
	fk.buf = buf;
	lay->rsdp = gpa;
	lay->end = gpa + size;
	return fk.build_err;
}

static struct e820_map map;

static int setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	memset(&vm, 0, sizeof(vm));
	memset(&cfg, 0, sizeof(cfg));
	vm.cfg = &cfg;
	vm.name = "vm";
	vm.nr_vcpus = 3;
	fk.size = 0x1000;
	fk.ram = true;
	fk.prt[1].gsi = 17;
	e820_init(&map);
	return 0;
}

static void test_described(void **state)
{
	(void)state;
	/* the HPET twice (two ranges), a raw region, a device with a 5-character name */
	mmio[0] = (struct vm_mmio_dev){ 0xFED00000, 0xFED00000, 0x400, &hpet };
	mmio[1] = (struct vm_mmio_dev){ 0x90000000, 0xF0000000, 0x1000, NULL };
	mmio[2] = (struct vm_mmio_dev){ 0xFED01000, 0xFED01000, 0x400, &hpet };
	mmio[3] = (struct vm_mmio_dev){ 0xFE000000, 0xFE000000, 0x1000, &gpio };
	cfg.mmio_devs = mmio;
	cfg.nr_mmio_devs = 4;
	fk.rtc = fk.hpet = true;
	fk.line8 = &vm;
	fk.mode8 = PTIRQ_FOLLOW_VRTE;
	assert_int_equal(vm_acpi_build(&vm, &map), 0);
	assert_int_equal(fk.t.nr_vcpus, 3);
	assert_int_equal(fk.t.pci.mmio32.base, 0xC0000000);
	assert_int_equal(fk.t.pci.ecam_base, 0xE0000000);
	assert_int_equal(fk.t.pci.bus_end, 3);
	assert_int_equal(fk.t.pci.nr_prt, 2);
	assert_true(fk.t.rtc.present);
	assert_int_equal(fk.t.rtc.irq, 8);
	assert_true(fk.t.hpet.present);
	assert_int_equal(fk.t.hpet.base, 0xFED00000);
	assert_int_equal(fk.t.hpet.block_id, 0x8086A201);
	assert_true(fk.t.hpet.min_tick > 0);
	/* one device per board device, its ranges at the VM's GPAs */
	assert_int_equal(fk.t.nr_devs, 2);
	assert_string_equal(fk.devs[0].hid, "PNP0103");
	assert_string_equal(fk.devs[0].name, "HPET");
	assert_int_equal(fk.devs[0].nr_mmio, 2);
	assert_int_equal(fk.devs[0].mmio[1].base, 0xFED01000);
	assert_string_equal(fk.devs[1].hid, "INTC1020");
	assert_null(fk.devs[1].name);		/* not an ACPI name: the builder picks one */
	/* in its RAM at 0xE0000, reserved */
	assert_ptr_equal(fk.buf, bios);
	assert_int_equal(vm.acpi_rsdp, VACPI_BIOS_GPA);
	assert_int_equal(map.n, 1);
	assert_int_equal(map.e[0].addr, VACPI_BIOS_GPA);
	assert_int_equal(map.e[0].size, VACPI_BIOS_END - VACPI_BIOS_GPA);
	assert_int_equal(map.e[0].type, E820_RESERVED);
}

/* The RTC's IRQ: only the VM's own line, and one its vIOAPIC programs (not a PCI function's). */
static void test_rtc_irq(void **state)
{
	(void)state;
	fk.rtc = true;
	assert_int_equal(vm_acpi_build(&vm, &map), 0);
	assert_true(fk.t.rtc.present);
	assert_int_equal(fk.t.rtc.irq, 0);
	fk.line8 = &vm;
	fk.mode8 = 0;				/* a PCI function's level route */
	assert_int_equal(vm_acpi_build(&vm, &map), 0);
	assert_int_equal(fk.t.rtc.irq, 0);
	fk.rtc = false;
	fk.mode8 = PTIRQ_FOLLOW_VRTE;
	assert_int_equal(vm_acpi_build(&vm, &map), 0);
	assert_false(fk.t.rtc.present);
	assert_int_equal(fk.t.rtc.irq, 0);
	assert_false(fk.t.hpet.present);
	assert_int_equal(fk.t.nr_devs, 0);
}

static void test_many_devices(void **state)
{
	static struct board_acpi_dev devs[VACPI_MAX_DEVS + 2];
	static struct vm_mmio_dev many[VACPI_MAX_DEVS + 2 + VACPI_DEV_MAX_MMIO];
	static char uids[VACPI_MAX_DEVS + 2][4];
	unsigned n = 0;

	(void)state;
	/* more ranges of one device than a DSDT device holds: the first ones */
	for (unsigned i = 0; i < VACPI_DEV_MAX_MMIO + 1; i++)
		many[n++] = (struct vm_mmio_dev){ 0x80000000 + i * 0x1000, 0, 0x1000, &hpet };
	/* more devices than the builder takes: the first ones */
	for (unsigned i = 0; i < VACPI_MAX_DEVS + 1; i++) {
		snprintf(uids[i], sizeof(uids[i]), "%u", i);
		devs[i] = (struct board_acpi_dev){ .hid = "PNP0C02", .uid = uids[i] };
		many[n++] = (struct vm_mmio_dev){ 0x90000000 + i * 0x1000, 0, 0x1000, &devs[i] };
	}
	cfg.mmio_devs = many;
	cfg.nr_mmio_devs = n;
	assert_int_equal(vm_acpi_build(&vm, &map), 0);
	assert_int_equal(fk.t.nr_devs, VACPI_MAX_DEVS);
	assert_int_equal(fk.devs[0].nr_mmio, VACPI_DEV_MAX_MMIO);
	assert_string_equal(fk.devs[VACPI_MAX_DEVS - 1].uid, uids[VACPI_MAX_DEVS - 2]);
}

static void test_refused(void **state)
{
	(void)state;
	fk.size = -EINVAL;
	assert_int_equal(vm_acpi_build(&vm, &map), -EINVAL);
	/* past the BIOS area */
	fk.size = VACPI_BIOS_END - VACPI_BIOS_GPA + 1;
	assert_int_equal(vm_acpi_build(&vm, &map), -ENOSPC);
	/* no RAM there */
	fk.size = 0x1000;
	fk.ram = false;
	assert_int_equal(vm_acpi_build(&vm, &map), -EFAULT);
	fk.ram = true;
	fk.build_err = -EINVAL;
	assert_int_equal(vm_acpi_build(&vm, &map), -EINVAL);
	assert_int_equal(vm.acpi_rsdp, 0);
	assert_int_equal(map.n, 0);		/* nothing reserved for tables that are not there */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_described, setup),
		cmocka_unit_test_setup(test_rtc_irq, setup),
		cmocka_unit_test_setup(test_many_devices, setup),
		cmocka_unit_test_setup(test_refused, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
