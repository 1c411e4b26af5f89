/*
 * The host interrupt registry (arch/x86/irq.c): ranges are owned by one
 * handler each, a taken or bad range changes nothing, dispatch calls the
 * owner and always sends the EOI (a kick has no owner).
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
	assert_int_equal(irq_register(IRQ_MSI_BASE, IRQ_MSI_COUNT, handler_a), 0);
	assert_int_equal(irq_register(IRQ_INTX_BASE, IRQ_INTX_COUNT, handler_b), 0);
	/* overlapping either range: refused, nothing changes */
	assert_int_equal(irq_register(IRQ_INTX_BASE - 1, 2, handler_b), -EBUSY);
	assert_int_equal(irq_register(IRQ_MSI_BASE + 5, 1, handler_b), -EBUSY);
	/* exceptions, the end of the table, empty ranges, no handler */
	assert_int_equal(irq_register(0x10, 1, handler_a), -EINVAL);
	assert_int_equal(irq_register(0xFF, 2, handler_a), -EINVAL);
	assert_int_equal(irq_register(0xF5, 0, handler_a), -EINVAL);
	assert_int_equal(irq_register(0xF5, 1, NULL), -EINVAL);

	irq_dispatch(IRQ_MSI_BASE + 5);
	assert_int_equal(calls_a, 1);
	assert_int_equal(last, IRQ_MSI_BASE + 5);
	irq_dispatch(IRQ_INTX_BASE - 1);		/* the last MSI vector is still a's */
	assert_int_equal(calls_a, 2);
	irq_dispatch(IRQ_INTX_BASE + 11);
	assert_int_equal(calls_b, 1);
	assert_int_equal(last, IRQ_INTX_BASE + 11);
	irq_dispatch(KICK_VECTOR);			/* no owner: only the EOI */
	assert_int_equal(calls_a + calls_b, 3);
	assert_int_equal(eois, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_and_dispatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
