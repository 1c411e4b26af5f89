/*
 * Edge routes of dm/ptirq.c (the Service VM's ISA lines) against a fake
 * IOAPIC and vIOAPIC: each edge is one pulse and nothing waits for an EOI;
 * a burst over the storm limit masks the pin until its window is over;
 * a route that follows its vIOAPIC pin takes the trigger and polarity the
 * guest programs (level then behaves as PCI INTx does) and its mask; a line
 * another VM holds is refused, and an ISA line is not moved to another VM;
 * reset and release leave the pin as they should.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "ptirq_fixture.h"

#define RTC 8
#define HPET 20

static void test_edge_pulses_without_masking(void **state)
{
	unsigned writes;

	(void)state;
	assert_int_equal(ptirq_route_add(&svm, RTC, RTC, PTIRQ_ISA), 0);
	assert_true(ioa.routed[RTC]);
	assert_false(ioa.level[RTC] || ioa.low[RTC]);	/* ISA: edge, active high */
	assert_false(ioa.masked[RTC]);
	assert_int_equal(ioa.dest[RTC], 11);		/* the Service VM's vCPU 0 */
	assert_int_equal(ptirq_route_mode(RTC), PTIRQ_FOLLOW_VRTE);
	assert_true(ptirq_intx_deliver(VEC(RTC), 100));
	assert_int_equal(rises[1][RTC], 1);
	assert_false(latched(&svm, RTC));		/* a pulse: the line is down again */
	assert_false(ioa.masked[RTC]);			/* and the pin open for the next edge */
	writes = ioa.writes[RTC];
	ptirq_eoi(&svm, 0x40 + RTC);			/* an EOI changes nothing */
	assert_false(ioa.masked[RTC]);
	assert_int_equal(ioa.writes[RTC], writes);
	assert_true(ptirq_intx_deliver(VEC(RTC), 200));
	assert_true(ptirq_intx_deliver(VEC(RTC), 300));
	assert_int_equal(rises[1][RTC], 3);
	assert_int_equal(rises[0][RTC] + rises[2][RTC], 0);
}

static void test_edge_storm_is_masked_for_its_window(void **state)
{
	(void)state;
	assert_int_equal(ptirq_route_add(&svm, HPET, HPET, PTIRQ_ISA), 0);
	/* just under the limit in each of two windows: never masked */
	for (unsigned i = 0; i < PTIRQ_EDGE_BURST - 1; i++)
		ptirq_intx_deliver(VEC(HPET), 1000 + i);
	for (unsigned i = 0; i < PTIRQ_EDGE_BURST - 1; i++)
		ptirq_intx_deliver(VEC(HPET), 1000 + WINDOW + i);
	assert_false(ioa.masked[HPET]);
	assert_int_equal(rises[1][HPET], 2 * (PTIRQ_EDGE_BURST - 1));
	/* a storm: the edge that reaches the limit is delivered, then the pin is masked */
	memset(rises, 0, sizeof(rises));
	for (unsigned i = 0; i < PTIRQ_EDGE_BURST; i++)
		ptirq_intx_deliver(VEC(HPET), 10 * WINDOW + i);
	assert_true(ioa.masked[HPET]);
	assert_int_equal(rises[1][HPET], PTIRQ_EDGE_BURST);
	ptirq_poll(11 * WINDOW - 1);			/* still inside the window */
	assert_true(ioa.masked[HPET]);
	ptirq_poll(11 * WINDOW);			/* over: the line speaks again */
	assert_false(ioa.masked[HPET]);
	/* and counts afresh from there */
	for (unsigned i = 0; i < PTIRQ_EDGE_BURST - 1; i++)
		ptirq_intx_deliver(VEC(HPET), 11 * WINDOW + 1 + i);
	assert_false(ioa.masked[HPET]);
	ptirq_intx_deliver(VEC(HPET), 11 * WINDOW + PTIRQ_EDGE_BURST);
	assert_true(ioa.masked[HPET]);
	/* a reset opens it at once; a release closes it for good (no later poll reopens it) */
	ptirq_reset(&svm);
	assert_false(ioa.masked[HPET]);
	for (unsigned i = 0; i < PTIRQ_EDGE_BURST; i++)
		ptirq_intx_deliver(VEC(HPET), 20 * WINDOW + i);
	assert_true(ioa.masked[HPET]);
	ptirq_release(&svm);
	ptirq_poll(40 * WINDOW);
	assert_true(ioa.masked[HPET]);
	assert_null(ptirq_intx_owner(HPET));
}

static void test_trigger_and_polarity_follow_the_guest(void **state)
{
	unsigned writes;

	(void)state;
	assert_int_equal(ptirq_route_add(&svm, HPET, HPET, PTIRQ_ISA), 0);
	assert_int_equal(ptirq_intx_add(&svm, 11, 11), 0);		/* a PCI function's line */
	/* the guest makes the HPET's pin level, active low (Linux's /dev/hpet does) */
	guest_rte(&svm, HPET, true, true);
	assert_true(ioa.level[HPET] && ioa.low[HPET]);
	assert_false(ioa.masked[HPET]);
	assert_int_equal(ptirq_route_mode(HPET), PTIRQ_FOLLOW_VRTE | PTIRQ_LEVEL | PTIRQ_ACTIVE_LOW);
	/* level now: masked and latched until the guest's EOI */
	ptirq_intx_deliver(VEC(HPET), 0);
	assert_true(ioa.masked[HPET]);
	assert_true(latched(&svm, HPET));
	ptirq_eoi(&svm, 0x40 + HPET);
	assert_false(ioa.masked[HPET]);
	assert_false(latched(&svm, HPET));
	/* writes that change nothing of it do not touch the pin */
	writes = ioa.writes[HPET];
	guest_rte(&svm, HPET, true, true);
	assert_int_equal(ioa.writes[HPET], writes);
	/* back to edge while latched: the line drops, the pin is open, edges pulse */
	ptirq_intx_deliver(VEC(HPET), 0);
	guest_rte(&svm, HPET, false, false);
	assert_false(ioa.level[HPET] || ioa.low[HPET]);
	assert_false(latched(&svm, HPET));
	assert_false(ioa.masked[HPET]);
	rises[1][HPET] = 0;
	ptirq_intx_deliver(VEC(HPET), 0);
	assert_int_equal(rises[1][HPET], 1);
	assert_false(ioa.masked[HPET]);
	/* a PCI route does not follow: the guest cannot make the device's level line edge */
	writes = ioa.writes[11];
	guest_rte(&svm, 11, false, false);
	assert_true(ioa.level[11] && ioa.low[11]);
	assert_int_equal(ioa.writes[11], writes);
	/* nor another VM's writes a route of the Service VM's */
	guest_rte(&pre, HPET, true, false);
	assert_false(ioa.level[HPET]);
}

static void test_the_guest_mask_closes_the_pin(void **state)
{
	(void)state;
	/* a pin the guest has not opened yet (vIOAPIC reset state) is routed closed */
	svm.vioapic.rte[HPET] |= BIT(16);
	assert_int_equal(ptirq_route_add(&svm, HPET, HPET, PTIRQ_ISA), 0);
	assert_true(ioa.masked[HPET]);
	svm.vioapic.rte[HPET] &= ~BIT(16);
	ptirq_vrte_written(&svm);
	assert_false(ioa.masked[HPET]);
	/* the storm limit's mask outlasts a guest that unmasks again */
	for (unsigned i = 0; i < PTIRQ_EDGE_BURST; i++)
		ptirq_intx_deliver(VEC(HPET), i);
	assert_true(ioa.masked[HPET]);
	svm.vioapic.rte[HPET] |= BIT(16);
	ptirq_vrte_written(&svm);
	svm.vioapic.rte[HPET] &= ~BIT(16);
	ptirq_vrte_written(&svm);
	assert_true(ioa.masked[HPET]);
	/* the window over but the guest's pin masked: it stays closed */
	svm.vioapic.rte[HPET] |= BIT(16);
	ptirq_vrte_written(&svm);
	ptirq_poll(WINDOW);
	assert_true(ioa.masked[HPET]);
	svm.vioapic.rte[HPET] &= ~BIT(16);
	ptirq_vrte_written(&svm);
	assert_false(ioa.masked[HPET]);
	/* level: the guest's EOI leaves a pin it masked meanwhile closed */
	guest_rte(&svm, HPET, true, true);
	ptirq_intx_deliver(VEC(HPET), 0);
	svm.vioapic.rte[HPET] |= BIT(16);
	ptirq_vrte_written(&svm);
	ptirq_eoi(&svm, 0x40 + HPET);
	assert_true(ioa.masked[HPET]);
	/* a PCI route ignores the guest's mask: its level handling owns the pin */
	assert_int_equal(ptirq_intx_add(&svm, 11, 11), 0);
	svm.vioapic.rte[11] |= BIT(16);
	ptirq_vrte_written(&svm);
	assert_false(ioa.masked[11]);
}

static void test_edge_line_of_another_vm_is_refused(void **state)
{
	(void)state;
	/* the pre-launched VM's device has GSI 8: the Service VM's RTC line is refused */
	assert_int_equal(ptirq_intx_add(&pre, RTC, 3), 0);
	assert_int_equal(ptirq_route_add(&svm, RTC, RTC, PTIRQ_ISA), -EBUSY);
	assert_ptr_equal(ptirq_intx_owner(RTC), &pre);
	assert_true(ioa.level[RTC]);			/* its route, untouched */
	ptirq_intx_deliver(VEC(RTC), 0);
	assert_true(latched(&pre, 3));
	assert_int_equal(rises[1][RTC], 0);
	/* nor does the Service VM's guest retune it through its own vIOAPIC */
	guest_rte(&svm, RTC, false, false);
	assert_true(ioa.level[RTC] && ioa.low[RTC]);
	/* nor is a Service VM's ISA line handed to a post-launched VM as a PCI function's */
	assert_int_equal(ptirq_route_add(&svm, HPET, HPET, PTIRQ_ISA), 0);
	assert_int_equal(ptirq_intx_move(HPET, &svm, &post, 5), -EBUSY);
	assert_ptr_equal(ptirq_intx_owner(HPET), &svm);
	assert_int_equal(ptirq_route_mode(HPET), PTIRQ_FOLLOW_VRTE);
	/* a bad GSI or pin is refused outright */
	assert_int_equal(ptirq_route_add(&svm, 24, 8, PTIRQ_ISA), -EINVAL);
	assert_int_equal(ptirq_route_add(&svm, 8, 24, PTIRQ_ISA), -EINVAL);
}

static void test_edge_for_a_stopped_vm_is_masked(void **state)
{
	(void)state;
	assert_int_equal(ptirq_route_add(&svm, RTC, RTC, PTIRQ_ISA), 0);
	svm.state = VM_STOPPED;
	ptirq_intx_deliver(VEC(RTC), 0);
	assert_true(ioa.masked[RTC]);
	assert_int_equal(rises[1][RTC], 0);
	/* an IOAPIC that refuses the route leaves no owner */
	ptirq_release(&svm);
	svm.state = VM_RUNNING;
	ioa.route_ret = -EINVAL;
	assert_int_equal(ptirq_route_add(&svm, RTC, RTC, PTIRQ_ISA), -EINVAL);
	assert_null(ptirq_intx_owner(RTC));
}

#define ROUTE_TEST(f) cmocka_unit_test_setup_teardown(f, vms_setup, vms_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		ROUTE_TEST(test_edge_pulses_without_masking),
		ROUTE_TEST(test_edge_storm_is_masked_for_its_window),
		ROUTE_TEST(test_trigger_and_polarity_follow_the_guest),
		ROUTE_TEST(test_the_guest_mask_closes_the_pin),
		ROUTE_TEST(test_edge_line_of_another_vm_is_refused),
		ROUTE_TEST(test_edge_for_a_stopped_vm_is_masked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
