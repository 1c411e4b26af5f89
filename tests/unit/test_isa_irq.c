/*
 * The Service VM's ISA lines (dm/isa_irq.c) over the real routes of
 * dm/ptirq.c and a fake HPET: its RTC's IRQ 8 when the RTC's ports are its
 * own; the HPET's legacy replacement GSIs 2 and 8 when it has them, and its
 * timer routes from GSI 16 on as its registers say (not the ISA GSIs they
 * list); not the hypervisor's console line, not a line another VM holds,
 * not over a PCI function's level route; isa_irq_hpet() says when the
 * VM's HPET may be described to it (its legacy lines are its own); the
 * HPET's lines go and come back with it when it is assigned away.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "ptirq_fixture.h"
#include "vm_unit.h"
#include "vmmio.h"

#define HPET_BASE 0xfed00000ULL

/* ---- a board with an HPET of three timers ---- */
static struct board_config board;
const struct scenario_config scenario = { .board_info = &board };

static const struct board_res_range hpet_mmio[] = { { HPET_BASE, 0x400 } };
static const struct board_acpi_dev hpet_dev = {
	.hid = "PNP0103", .uid = "0", .nr_mmio = 1, .mmio = hpet_mmio,
};
static u32 hpet_regs[0x400 / 4];
static unsigned hpet_reads;

u32 vmmio_hw_read32(u64 hpa)
{
	hpet_reads++;
	assert_true(hpa >= HPET_BASE && hpa + 4 <= HPET_BASE + 0x400);	/* its own range only */
	return hpet_regs[(hpa - HPET_BASE) / 4];
}

static void hpet_make(u32 cap0, u32 cap1, u32 cap2)
{
	memset(hpet_regs, 0, sizeof(hpet_regs));
	hpet_regs[0] = 0x8086a201 | (2u << 8);	/* 3 timers, legacy replacement capable (bit 15) */
	hpet_regs[0x104 / 4] = cap0;		/* Tn_INT_ROUTE_CAP: Tn_CONF bits 63:32 */
	hpet_regs[0x124 / 4] = cap1;
	hpet_regs[0x144 / 4] = cap2;
}

static struct vm_mmio_dev svm_mmio[] = {
	{ .gpa = 0xfe000000, .hpa = 0xfe000000, .size = 0x1000, .dev = NULL },	/* a raw region */
	{ .gpa = HPET_BASE, .hpa = HPET_BASE, .size = 0x400, .dev = &hpet_dev },
};
static struct vm_config svm_cfg = { .name = "sos", .kind = VM_SERVICE };
static u8 *bitmap;

static int setup(void **state)
{
	(void)state;
	vms_make();
	memset(&board, 0, sizeof(board));
	board.console = (struct board_console){ .type = BOARD_CONSOLE_PIO, .base = 0x3f8, .irq = 4 };
	svm_cfg.nr_mmio_devs = ARRAY_SIZE(svm_mmio);
	svm_cfg.mmio_devs = svm_mmio;
	svm.cfg = &svm_cfg;
	bitmap = malloc(8192);
	memset(bitmap, 0xff, 8192);
	svm.io_bitmap = bitmap;
	assert_int_equal(rtc_pt_unit.init(&svm), 0);	/* ports 0x70-0x71 are the VM's */
	hpet_make(0x00f00104, 0x00f00104, 0x00ff0000);	/* 2, 8, 20-23; and 16-23 */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vms_release();
	free(bitmap);
	return 0;
}

static u32 routed_to(struct vm *vm)
{
	u32 m = 0;

	for (u32 g = 0; g < 24; g++)
		if (ptirq_intx_owner(g) == vm)
			m |= BIT(g);
	return m;
}

static void test_rtc_and_hpet_lines(void **state)
{
	u64 gpa = 0;
	u32 gcap = 0;

	(void)state;
	assert_true(isa_irq_unit.kinds == BIT(VM_SERVICE));
	assert_false(isa_irq_hpet(&svm, &gpa, &gcap));	/* nothing routed yet */
	assert_int_equal(isa_irq_unit.init(&svm), 0);
	/* RTC 8, the HPET's legacy 2 and 8, its timers' 16-23 */
	assert_int_equal(routed_to(&svm), BIT(2) | BIT(8) | 0x00ff0000);
	assert_true(isa_irq_hpet(&svm, &gpa, &gcap));
	assert_int_equal(gpa, HPET_BASE);
	assert_int_equal(gcap, hpet_regs[0]);
	for (u32 g = 0; g < 24; g++) {
		if (!(routed_to(&svm) & BIT(g)))
			continue;
		assert_int_equal(ptirq_route_mode(g), PTIRQ_FOLLOW_VRTE);	/* edge, high */
		assert_false(ioa.level[g] || ioa.low[g] || ioa.masked[g]);
		assert_int_equal(ioa.dest[g], 11);
	}
	/* the RTC's edge reaches vIOAPIC pin 8 */
	ptirq_intx_deliver(VEC(8), 0);
	assert_int_equal(rises[1][8], 1);
}

static void test_lines_of_others_are_left_alone(void **state)
{
	(void)state;
	board.console.irq = 19;				/* a PCI UART the hypervisor prints on */
	assert_int_equal(ptirq_intx_add(&pre, 17, 17), 0);	/* a pre-launched VM's device */
	assert_int_equal(ptirq_intx_add(&svm, 18, 18), 0);	/* the Service VM's own PCI function */
	assert_int_equal(isa_irq_unit.init(&svm), 0);		/* what it cannot have does not fail it */
	assert_int_equal(routed_to(&svm), BIT(2) | BIT(8) | BIT(16) | BIT(18) | 0x00f00000);
	assert_ptr_equal(ptirq_intx_owner(17), &pre);
	assert_null(ptirq_intx_owner(19));
	assert_false(ioa.routed[19]);
	assert_int_equal(ptirq_route_mode(18), PTIRQ_PCI_INTX);	/* still the function's level route */
	assert_true(ioa.level[18] && ioa.low[18]);
}

static void test_hpet_without_legacy_replacement(void **state)
{
	u64 gpa;
	u32 gcap;

	(void)state;
	hpet_regs[0] &= ~BIT(15);
	rtc_pt_unit.release(&svm);			/* and the RTC's ports not the VM's */
	assert_int_equal(isa_irq_unit.init(&svm), 0);
	assert_int_equal(routed_to(&svm), 0x00ff0000);	/* the timers' IOAPIC routes only */
	assert_false(isa_irq_hpet(&svm, &gpa, &gcap));	/* no legacy lines: no HPET table */
	/* GSI 2 held by another VM: the same */
	ptirq_release(&svm);
	hpet_regs[0] |= BIT(15);
	assert_int_equal(ptirq_intx_add(&pre, 2, 2), 0);
	assert_int_equal(isa_irq_unit.init(&svm), 0);
	assert_int_equal(routed_to(&svm), BIT(8) | 0x00ff0000);
	assert_false(isa_irq_hpet(&svm, &gpa, &gcap));
}

static void test_without_the_devices_no_lines(void **state)
{
	(void)state;
	/* ports not the VM's, HPET not answering: nothing routed */
	rtc_pt_unit.release(&svm);
	hpet_regs[0] = 0xffffffff;
	hpet_reads = 0;
	assert_int_equal(isa_irq_unit.init(&svm), 0);
	assert_int_equal(routed_to(&svm), 0);
	assert_int_equal(hpet_reads, 1);		/* GCAP only: no timer registers guessed */
	/* no HPET among its devices at all: its registers are not even read */
	svm_cfg.nr_mmio_devs = 1;
	hpet_reads = 0;
	assert_int_equal(isa_irq_unit.init(&svm), 0);
	assert_int_equal(hpet_reads, 0);
	assert_int_equal(routed_to(&svm), 0);
}

static void test_hpet_lines_go_and_come_back_with_it(void **state)
{
	(void)state;
	assert_int_equal(ptirq_intx_add(&svm, 18, 18), 0);	/* a PCI function's line */
	assert_int_equal(isa_irq_unit.init(&svm), 0);
	/* another device moving away changes nothing */
	isa_irq_mmio_moved(&svm, 0xfe000000, 0x1000, true);
	assert_int_equal(routed_to(&svm), BIT(2) | BIT(8) | 0x00ff0000);
	/* the HPET assigned to a post-launched VM: its lines go quiet, the RTC's and the PCI one stay */
	isa_irq_mmio_moved(&svm, HPET_BASE, 0x400, true);
	assert_int_equal(routed_to(&svm), BIT(8) | BIT(18));
	assert_true(ioa.masked[2] && ioa.masked[16] && ioa.masked[23]);
	assert_null(ptirq_intx_owner(2));
	ptirq_intx_deliver(VEC(20), 0);			/* the guest's HPET fires: nobody gets it */
	assert_int_equal(rises[1][20] + rises[2][20], 0);
	assert_int_equal(ptirq_route_mode(18), PTIRQ_PCI_INTX);
	/* given back: they come back as they were */
	isa_irq_mmio_moved(&svm, HPET_BASE, 0x400, false);
	assert_int_equal(routed_to(&svm), BIT(2) | BIT(8) | 0x00ff0000);
	assert_int_equal(ptirq_route_mode(20), PTIRQ_FOLLOW_VRTE);
	assert_false(ioa.masked[20]);
	assert_int_equal(ptirq_route_mode(18), PTIRQ_PCI_INTX);
	/* without the RTC's ports, GSI 8 was the HPET's alone: it goes too */
	rtc_pt_unit.release(&svm);
	isa_irq_mmio_moved(&svm, HPET_BASE + 0x100, 0x10, true);	/* any part of its range */
	assert_int_equal(routed_to(&svm), BIT(18));
}

static void test_release_frees_the_lines(void **state)
{
	(void)state;
	assert_int_equal(isa_irq_unit.init(&svm), 0);
	ptirq_unit.release(&svm);
	assert_int_equal(routed_to(&svm), 0);
	for (u32 g = 16; g < 24; g++)
		assert_true(ioa.masked[g]);
	assert_true(ioa.masked[2] && ioa.masked[8]);
	/* free for whoever the board gives them next */
	assert_int_equal(ptirq_intx_add(&post, 8, 8), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rtc_and_hpet_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lines_of_others_are_left_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hpet_without_legacy_replacement, setup, teardown),
		cmocka_unit_test_setup_teardown(test_without_the_devices_no_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hpet_lines_go_and_come_back_with_it, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_release_frees_the_lines, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
