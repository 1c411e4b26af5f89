/* Unit tests for the virtual local APIC timer (dm/vlapic_timer.c). */
#include "vlapic_fixture.h"

static void test_timer_oneshot(void **state)
{
	struct vlapic *l = &cpu[0];

	(void)state;
	wr(l, APIC_SVR, 0x1FF);
	wr(l, APIC_LVT_TIMER, 0x30);
	wr(l, APIC_DCR, 0xB);			/* divide by 1 */
	vlapic_timer_check(l);			/* nothing armed: no-op */
	assert_int_equal(irr_count(l), 0);
	wr(l, APIC_TMICT, 1000);
	assert_int_equal(rd(l, APIC_TMICT), 1000);
	assert_int_equal(vlapic_next_event(l), 2000);
	assert_int_equal(rd(l, APIC_TMCCT), 1000);
	fake_tsc = 1250;
	assert_int_equal(rd(l, APIC_TMCCT), 750);
	fake_tsc = 1999;
	vlapic_timer_check(l);
	assert_false(irr(l, 0x30));
	assert_int_equal(rd(l, APIC_TMCCT), 1);
	fake_tsc = 2000;
	assert_int_equal(rd(l, APIC_TMCCT), 0);
	vlapic_timer_check(l);
	assert_true(irr(l, 0x30));
	assert_int_equal(nkicks, 1);
	assert_ptr_equal(kicked[0], l);
	assert_int_equal(vlapic_next_event(l), ~0ULL);
	assert_int_equal(inject_and_eoi(l), 0x30);
	fake_tsc = 5000;
	vlapic_timer_check(l);
	assert_int_equal(irr_count(l), 0);	/* one shot only */
	assert_int_equal(rd(l, APIC_TMCCT), 0);
	assert_int_equal(rd(l, APIC_TMICT), 1000);

	/* rewriting the initial count restarts; 0 stops */
	wr(l, APIC_TMICT, 10);
	assert_int_equal(vlapic_next_event(l), 5010);
	wr(l, APIC_TMICT, 0);
	assert_int_equal(vlapic_next_event(l), ~0ULL);
	assert_int_equal(rd(l, APIC_TMCCT), 0);
	fake_tsc = 6000;
	vlapic_timer_check(l);
	assert_int_equal(irr_count(l), 0);
}

static void test_timer_periodic(void **state)
{
	struct vlapic *l = &cpu[1];

	(void)state;
	wr(l, APIC_SVR, 0x1FF);
	wr(l, APIC_LVT_TIMER, (APIC_TIMER_PERIODIC << 17) | 0x31);
	wr(l, APIC_DCR, 0x0);			/* divide by 2 */
	wr(l, APIC_TMICT, 100);			/* 200 TSC ticks */
	assert_int_equal(vlapic_next_event(l), 1200);
	fake_tsc = 1001;			/* half a count elapsed: still 100 */
	assert_int_equal(rd(l, APIC_TMCCT), 100);
	fake_tsc = 1002;
	assert_int_equal(rd(l, APIC_TMCCT), 99);
	fake_tsc = 1200;
	vlapic_timer_check(l);
	assert_true(irr(l, 0x31));
	assert_int_equal(vlapic_next_event(l), 1400);
	assert_int_equal(inject_and_eoi(l), 0x31);
	fake_tsc = 1250;
	assert_int_equal(rd(l, APIC_TMCCT), 75);
	/* not checked for a while: the count still reads right */
	fake_tsc = 1850;
	assert_int_equal(rd(l, APIC_TMCCT), 75);	/* in the 1800..2000 period */
	/* two expiries missed collapse into one interrupt; phase kept */
	vlapic_timer_check(l);
	assert_int_equal(irr_count(l), 1);
	assert_int_equal(vlapic_next_event(l), 2000);
	assert_int_equal(inject_and_eoi(l), 0x31);
	vlapic_timer_check(l);
	assert_int_equal(irr_count(l), 0);
	fake_tsc = 2000;
	assert_int_equal(rd(l, APIC_TMCCT), 100);
	vlapic_timer_check(l);
	assert_int_equal(vlapic_next_event(l), 2200);
	assert_int_equal(inject_and_eoi(l), 0x31);
	/* masked: keeps reloading, raises nothing */
	wr(l, APIC_LVT_TIMER, (APIC_TIMER_PERIODIC << 17) | APIC_LVT_MASKED | 0x31);
	fake_tsc = 2200;
	vlapic_timer_check(l);
	assert_int_equal(irr_count(l), 0);
	assert_int_equal(vlapic_next_event(l), 2400);
	/* writing 0 stops it */
	wr(l, APIC_TMICT, 0);
	assert_int_equal(vlapic_next_event(l), ~0ULL);
	assert_int_equal(rd(l, APIC_TMCCT), 0);
}

static void test_timer_divide(void **state)
{
	static const struct { u32 dcr, div; } t[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xA, 128 }, { 0xB, 1 },
		{ 0x4, 2 }, { 0xF, 1 },		/* bit 2 is not part of the value */
	};
	struct vlapic *l = &cpu[2];

	(void)state;
	wr(l, APIC_SVR, 0x1FF);
	wr(l, APIC_LVT_TIMER, 0x32);
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		wr(l, APIC_DCR, t[i].dcr);
		assert_int_equal(rd(l, APIC_DCR), t[i].dcr & 0xB);
		wr(l, APIC_TMICT, 10);
		assert_int_equal(vlapic_next_event(l) - fake_tsc, 10ULL * t[i].div);
		fake_tsc += t[i].div;
		assert_int_equal(rd(l, APIC_TMCCT), 9);
	}
	/* maximum count at the largest divide does not overflow */
	wr(l, APIC_DCR, 0xA);
	wr(l, APIC_TMICT, 0xFFFFFFFF);
	assert_int_equal(vlapic_next_event(l) - fake_tsc, 0xFFFFFFFFULL * 128);
	assert_int_equal(rd(l, APIC_TMCCT), 0xFFFFFFFF);

	/* changing the divide while counting keeps the count, changes the rate */
	wr(l, APIC_DCR, 0xB);
	wr(l, APIC_TMICT, 100);
	fake_tsc += 40;
	assert_int_equal(rd(l, APIC_TMCCT), 60);
	wr(l, APIC_DCR, 0x1);			/* divide by 4 */
	assert_int_equal(rd(l, APIC_TMCCT), 60);
	assert_int_equal(vlapic_next_event(l) - fake_tsc, 240);
	fake_tsc += 4;
	assert_int_equal(rd(l, APIC_TMCCT), 59);
}

static void test_timer_mode_switch(void **state)
{
	struct vlapic *l = &cpu[0];

	(void)state;
	wr(l, APIC_SVR, 0x1FF);
	wr(l, APIC_LVT_TIMER, 0x33);
	wr(l, APIC_TMICT, 50);
	assert_true(vlapic_next_event(l) != ~0ULL);
	/* same mode, new vector/mask: keeps running */
	wr(l, APIC_LVT_TIMER, 0x34);
	assert_int_equal(vlapic_next_event(l), 1100);
	/* one-shot -> periodic disarms */
	wr(l, APIC_LVT_TIMER, (APIC_TIMER_PERIODIC << 17) | 0x34);
	assert_int_equal(vlapic_next_event(l), ~0ULL);
	assert_int_equal(rd(l, APIC_TMICT), 0);
	fake_tsc = 5000;
	vlapic_timer_check(l);
	assert_int_equal(irr_count(l), 0);
	/* the timer interrupt is edge: no EOI broadcast */
	wr(l, APIC_TMICT, 1);
	fake_tsc += 2;
	vlapic_timer_check(l);
	assert_int_equal(inject_and_eoi(l), 0x34);
	assert_int_equal(neois, 0);
	/* a masked one-shot expires silently and disarms */
	wr(l, APIC_LVT_TIMER, APIC_LVT_MASKED | 0x35);
	wr(l, APIC_TMICT, 5);
	fake_tsc += 10;
	vlapic_timer_check(l);
	assert_int_equal(irr_count(l), 0);
	assert_int_equal(vlapic_next_event(l), ~0ULL);
}

static void test_timer_tsc_deadline(void **state)
{
	struct vlapic *l = &cpu[3];

	(void)state;
	wr(l, APIC_SVR, 0x1FF);
	/* not in TSC-deadline mode: the MSR reads 0 and ignores writes */
	wrmsr(l, MSR_IA32_TSC_DEADLINE, 5000);
	assert_int_equal(rdmsr(l, MSR_IA32_TSC_DEADLINE), 0);
	assert_int_equal(vlapic_next_event(l), ~0ULL);

	wr(l, APIC_LVT_TIMER, (APIC_TIMER_TSCDEADLINE << 17) | 0xEC);
	wrmsr(l, MSR_IA32_TSC_DEADLINE, 5000);
	assert_int_equal(rdmsr(l, MSR_IA32_TSC_DEADLINE), 5000);
	assert_int_equal(vlapic_next_event(l), 5000);
	/* initial count ignored, current count 0 */
	wr(l, APIC_TMICT, 10);
	assert_int_equal(rd(l, APIC_TMICT), 0);
	assert_int_equal(rd(l, APIC_TMCCT), 0);
	assert_int_equal(vlapic_next_event(l), 5000);
	fake_tsc = 4999;
	vlapic_timer_check(l);
	assert_false(irr(l, 0xEC));
	/* move it later, then earlier */
	wrmsr(l, MSR_IA32_TSC_DEADLINE, 9000);
	assert_int_equal(vlapic_next_event(l), 9000);
	wrmsr(l, MSR_IA32_TSC_DEADLINE, 6000);
	fake_tsc = 6500;
	vlapic_timer_check(l);
	assert_true(irr(l, 0xEC));
	assert_int_equal(rdmsr(l, MSR_IA32_TSC_DEADLINE), 0);	/* cleared on fire */
	assert_int_equal(vlapic_next_event(l), ~0ULL);
	assert_int_equal(inject_and_eoi(l), 0xEC);
	vlapic_timer_check(l);
	assert_int_equal(irr_count(l), 0);
	/* a deadline already passed fires at once */
	wrmsr(l, MSR_IA32_TSC_DEADLINE, 100);
	assert_true(irr(l, 0xEC));
	assert_int_equal(rdmsr(l, MSR_IA32_TSC_DEADLINE), 0);
	assert_int_equal(inject_and_eoi(l), 0xEC);
	/* writing 0 disarms */
	wrmsr(l, MSR_IA32_TSC_DEADLINE, 7000);
	wrmsr(l, MSR_IA32_TSC_DEADLINE, 0);
	assert_int_equal(vlapic_next_event(l), ~0ULL);
	fake_tsc = 8000;
	vlapic_timer_check(l);
	assert_int_equal(irr_count(l), 0);
	/* leaving TSC-deadline mode disarms and clears the MSR */
	wrmsr(l, MSR_IA32_TSC_DEADLINE, 9000);
	wr(l, APIC_LVT_TIMER, 0xEC);
	assert_int_equal(vlapic_next_event(l), ~0ULL);
	assert_int_equal(rdmsr(l, MSR_IA32_TSC_DEADLINE), 0);
	wr(l, APIC_LVT_TIMER, (APIC_TIMER_TSCDEADLINE << 17) | 0xEC);
	assert_int_equal(rdmsr(l, MSR_IA32_TSC_DEADLINE), 0);
	fake_tsc = 10000;
	vlapic_timer_check(l);
	assert_int_equal(irr_count(l), 0);
	/* entering it from a running one-shot disarms too */
	wr(l, APIC_LVT_TIMER, 0xED);
	wr(l, APIC_TMICT, 100);
	wr(l, APIC_LVT_TIMER, (APIC_TIMER_TSCDEADLINE << 17) | 0xED);
	assert_int_equal(vlapic_next_event(l), ~0ULL);
	/* the MSR works the same in x2APIC mode */
	to_x2apic(l);
	wrmsr(l, 0x832, (APIC_TIMER_TSCDEADLINE << 17) | 0xEE);
	wrmsr(l, MSR_IA32_TSC_DEADLINE, 10100);
	fake_tsc = 10100;
	vlapic_timer_check(l);
	assert_true(irr(l, 0xEE));
	assert_int_equal(rdmsr(l, 0x839), 0);
}

/* The owner's own timer for the deadline fired: the LVT vector, unless masked or no longer that mode */
static void test_timer_deadline_fired(void **state)
{
	struct vlapic *l = &cpu[2];

	(void)state;
	wr(l, APIC_SVR, 0x1FF);
	assert_false(vlapic_timer_deadline_mode(l));
	vlapic_timer_deadline_fired(l);			/* one-shot mode: nothing */
	assert_int_equal(irr_count(l), 0);
	wr(l, APIC_LVT_TIMER, (APIC_TIMER_TSCDEADLINE << 17) | 0xEC);
	assert_true(vlapic_timer_deadline_mode(l));
	vlapic_timer_deadline_fired(l);
	assert_true(irr(l, 0xEC));
	assert_int_equal(irr_count(l), 1);
	wr(l, APIC_LVT_TIMER, APIC_LVT_MASKED | (APIC_TIMER_TSCDEADLINE << 17) | 0xED);
	vlapic_timer_deadline_fired(l);
	assert_false(irr(l, 0xED));
	wr(l, APIC_LVT_TIMER, (APIC_TIMER_PERIODIC << 17) | 0xEE);
	assert_false(vlapic_timer_deadline_mode(l));
	vlapic_timer_deadline_fired(l);
	assert_false(irr(l, 0xEE));
	assert_int_equal(irr_count(l), 1);
}

static void test_timer_x2apic_counts(void **state)
{
	struct vlapic *l = &cpu[1];

	(void)state;
	to_x2apic(l);
	wrmsr(l, 0x80F, 0x1FF);
	wrmsr(l, 0x832, 0x40);
	wrmsr(l, 0x83E, 0x3);			/* divide by 16 */
	wrmsr(l, 0x838, 10);
	assert_int_equal(vlapic_next_event(l), 1160);
	fake_tsc = 1080;
	assert_int_equal(rdmsr(l, 0x839), 5);
	fake_tsc = 1160;
	vlapic_timer_check(l);
	assert_true(irr(l, 0x40));
	assert_int_equal(rdmsr(l, 0x822), 1u << 0);	/* IRR word 2: vector 0x40 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_timer_oneshot, setup),
		cmocka_unit_test_setup(test_timer_periodic, setup),
		cmocka_unit_test_setup(test_timer_divide, setup),
		cmocka_unit_test_setup(test_timer_mode_switch, setup),
		cmocka_unit_test_setup(test_timer_tsc_deadline, setup),
		cmocka_unit_test_setup(test_timer_x2apic_counts, setup),
		cmocka_unit_test_setup(test_timer_deadline_fired, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
