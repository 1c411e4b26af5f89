/*
 * INTx passthrough routes (dm/ptirq.c) against a fake IOAPIC and vIOAPIC:
 * a line fires once and stays masked until the guest's EOI; moving a line
 * between the Service VM and a post-launched VM drops what the old owner
 * latched; a line another VM holds (a pre-launched VM's device sharing the
 * pin) is never taken; release and reset leave the pins quiet.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "ptirq_fixture.h"

#define GSI 11

static void test_fire_masks_until_eoi(void **state)
{
	(void)state;
	assert_int_equal(ptirq_intx_add(&svm, GSI, GSI), 0);
	assert_int_equal(ioa.dest[GSI], 11);
	assert_true(ioa.level[GSI] && ioa.low[GSI]);	/* PCI INTx: level, active low */
	assert_ptr_equal(ptirq_intx_owner(GSI), &svm);
	assert_true(ptirq_intx_deliver(VEC(GSI), 0));
	assert_true(ioa.masked[GSI]);
	assert_true(latched(&svm, GSI));
	ptirq_eoi(&svm, 0x99);			/* another vector: nothing */
	assert_true(ioa.masked[GSI]);
	ptirq_eoi(&svm, 0x40 + GSI);
	assert_false(ioa.masked[GSI]);
	assert_false(latched(&svm, GSI));
	assert_false(ptirq_intx_deliver(0x30, 0));	/* not an INTx vector */
}

static void test_move_between_service_and_post_vm(void **state)
{
	u32 gsi;

	(void)state;
	assert_int_equal(ptirq_intx_add(&svm, GSI, GSI), 0);
	assert_true(ptirq_intx_deliver(VEC(GSI), 0));	/* latched in the Service VM */
	assert_int_equal(ptirq_intx_move(GSI, &svm, &post, 5), 0);
	assert_false(latched(&svm, GSI));		/* the old owner's line drops */
	assert_ptr_equal(ptirq_intx_owner(GSI), &post);
	assert_int_equal(ioa.dest[GSI], 12);		/* routed to the post VM's pCPU */
	assert_true(ptirq_intx_find(&post, 5, false, &gsi));
	assert_int_equal(gsi, GSI);
	assert_false(ptirq_intx_find(&post, 5, true, &gsi));	/* no vPIC */
	assert_false(ptirq_intx_find(&svm, GSI, false, &gsi));
	assert_true(ptirq_intx_deliver(VEC(GSI), 0));
	assert_true(latched(&post, 5));
	/* and back */
	assert_int_equal(ptirq_intx_move(GSI, &post, &svm, GSI), 0);
	assert_false(latched(&post, 5));
	assert_ptr_equal(ptirq_intx_owner(GSI), &svm);
	assert_int_equal(ptirq_intx_move(GSI, &svm, &post, 24), -EINVAL);
	assert_int_equal(ptirq_intx_move(24, &svm, &post, 5), -EINVAL);
	assert_ptr_equal(ptirq_intx_owner(GSI), &svm);
}

static void test_line_of_another_vm_is_not_taken(void **state)
{
	(void)state;
	/* the pre-launched VM's device uses GSI; the Service VM's sharing it cannot */
	assert_int_equal(ptirq_intx_add(&pre, GSI, 3), 0);
	assert_int_equal(ptirq_intx_add(&svm, GSI, GSI), -EBUSY);
	assert_true(ptirq_intx_deliver(VEC(GSI), 0));
	assert_true(latched(&pre, 3));
	/* nor can a post-launched VM take it from "the Service VM" */
	assert_int_equal(ptirq_intx_move(GSI, &svm, &post, 5), -EBUSY);
	assert_ptr_equal(ptirq_intx_owner(GSI), &pre);
	assert_int_equal(ioa.dest[GSI], 10);
	assert_true(latched(&pre, 3));			/* untouched: still latched, still masked */
	assert_true(ioa.masked[GSI]);
	ptirq_eoi(&pre, 0x40 + 3);
	assert_false(ioa.masked[GSI]);
	assert_true(ptirq_intx_deliver(VEC(GSI), 0));
	assert_true(latched(&pre, 3));			/* still the pre-launched VM's */
	assert_false(latched(&post, 5));
	/* nor a reset hand it to the Service VM */
	assert_int_equal(ptirq_intx_move(GSI, &post, &svm, GSI), -EBUSY);
	assert_ptr_equal(ptirq_intx_owner(GSI), &pre);
}

static void test_release_and_reset(void **state)
{
	(void)state;
	assert_int_equal(ptirq_intx_add(&post, GSI, 5), 0);
	assert_true(ptirq_intx_deliver(VEC(GSI), 0));
	ptirq_reset(&post);				/* vIOAPIC reset: the pin starts over */
	assert_false(ioa.masked[GSI]);
	ptirq_release(&post);				/* stopped: quiet and free */
	assert_true(ioa.masked[GSI]);
	assert_null(ptirq_intx_owner(GSI));
	/* a line that fires for a stopped owner is masked, not delivered */
	assert_int_equal(ptirq_intx_add(&post, GSI, 5), 0);
	post.state = VM_STOPPED;
	post.vioapic.rte[5] = 0x45;
	assert_true(ptirq_intx_deliver(VEC(GSI), 0));
	assert_true(ioa.masked[GSI]);
	assert_false(latched(&post, 5));
	/* a route the IOAPIC refuses leaves no owner */
	ptirq_release(&post);
	ioa.route_ret = -EINVAL;
	assert_int_equal(ptirq_intx_add(&svm, GSI, GSI), -EINVAL);
	assert_null(ptirq_intx_owner(GSI));
}

#define ROUTE_TEST(f) cmocka_unit_test_setup_teardown(f, vms_setup, vms_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		ROUTE_TEST(test_fire_masks_until_eoi),
		ROUTE_TEST(test_move_between_service_and_post_vm),
		ROUTE_TEST(test_line_of_another_vm_is_not_taken),
		ROUTE_TEST(test_release_and_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
