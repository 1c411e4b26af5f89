/*
 * The host interrupt map and registry (include/irq.h, arch/x86/irq.c): each
 * vector belongs to its range's owner, an owner has one handler (a second
 * registration changes nothing), dispatch calls it and always sends the EOI
 * (a kick has no owner).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "lib.h"
#include "irq.h"
#include "lapic.h"

static unsigned eois, calls_a, calls_b;
static u8 last;

void lapic_eoi(void) { eois++; }
static void handler_a(u8 v) { calls_a++; last = v; }
static void handler_b(u8 v) { calls_b++; last = v; }

static void test_register_and_dispatch(void **state)
{
	(void)state;
	assert_int_equal(irq_register(IRQ_OWNER_MSI, handler_a), 0);
	assert_int_equal(irq_register(IRQ_OWNER_INTX, handler_b), 0);
	/* an owner has one handler; bad owners and no handler are refused */
	assert_int_equal(irq_register(IRQ_OWNER_INTX, handler_a), -EBUSY);
	assert_int_equal(irq_register(NR_IRQ_OWNERS, handler_a), -EINVAL);
	assert_int_equal(irq_register(IRQ_OWNER_TIMER, NULL), -EINVAL);

	irq_dispatch(IRQ_MSI_BASE + 5);
	assert_int_equal(calls_a, 1);
	assert_int_equal(last, IRQ_MSI_BASE + 5);
	irq_dispatch(IRQ_INTX_BASE - 1);		/* the last MSI vector is still a's */
	assert_int_equal(calls_a, 2);
	irq_dispatch(IRQ_INTX_BASE + 11);
	assert_int_equal(calls_b, 1);
	assert_int_equal(last, IRQ_INTX_BASE + 11);
	irq_dispatch(IRQ_INTX_BASE + IRQ_INTX_COUNT);	/* past the INTx range: nobody's */
	irq_dispatch(KICK_VECTOR);			/* no owner: only the EOI */
	irq_dispatch(TIMER_VECTOR);			/* an owner without a handler yet */
	assert_int_equal(calls_a + calls_b, 3);
	assert_int_equal(eois, 6);
}

/* The map itself: each vector to its range's owner. */
static void test_owner_of(void **state)
{
	(void)state;
	assert_int_equal(irq_owner_of(IRQ_MSI_BASE - 1), IRQ_OWNER_NONE);
	assert_int_equal(irq_owner_of(IRQ_MSI_BASE), IRQ_OWNER_MSI);
	assert_int_equal(irq_owner_of(IRQ_MSI_BASE + IRQ_MSI_COUNT - 1), IRQ_OWNER_MSI);
	assert_int_equal(irq_owner_of(IRQ_INTX_BASE), IRQ_OWNER_INTX);
	assert_int_equal(irq_owner_of(IRQ_INTX_BASE + IRQ_INTX_COUNT - 1), IRQ_OWNER_INTX);
	assert_int_equal(irq_owner_of(IRQ_INTX_BASE + IRQ_INTX_COUNT), IRQ_OWNER_NONE);
	assert_int_equal(irq_owner_of(VTD_FAULT_VECTOR), IRQ_OWNER_VTD_FAULT);
	assert_int_equal(irq_owner_of(CONSOLE_VECTOR), IRQ_OWNER_CONSOLE);
	assert_int_equal(irq_owner_of(TIMER_VECTOR), IRQ_OWNER_TIMER);
	assert_int_equal(irq_owner_of(KICK_VECTOR), IRQ_OWNER_NONE);
	assert_int_equal(irq_owner_of(0xFF), IRQ_OWNER_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_and_dispatch),
		cmocka_unit_test(test_owner_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
