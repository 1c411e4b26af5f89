/*
 * victim: the VM the attack scenario's attackers must not reach. It keeps a
 * canary and reports it as one TAP line per round, so a gap, a late tick or
 * a changed word shows as "not ok" or a missing line at the round that
 * follows the attack (tests/guests/README.md, "The attack scenario").
 *
 *   RAM:   one word per 64-byte line of all RAM past the image (up to the
 *          stacks' end below ram_end - 1 MiB) holds f(address); each round
 *          checks a slice, so every word is checked every RAM_SLICES rounds.
 *          The image's code and read-only data are summed every round.
 *   timer: TSC-deadline interrupts every TICK_MS; each must arrive within
 *          LATE_MS of its deadline (TSC, not wall clock: Bochs's TSC follows
 *          emulated instructions).
 *   interrupts: none but its own ticks (an IPI, NMI or INIT from another VM
 *          shows as an unexpected interrupt, a fatal exception or a restart).
 *   lines: round N prints test N; the plan (rounds=) comes first.
 *
 * Command line: rounds=N (default 40) ticks=N (ticks per round, default 10).
 */
#include "guest.h"

#define TICK_VECTOR	0x40
#define TICK_MS		10
#define LATE_MS		20		/* tolerance on each tick */
#define LINE_STRIDE	64		/* one checked word per cache line */
#define RAM_SLICES	16
#define RAM_TOP_GAP	0x100000	/* the top MiB: loader data, left alone */
#define SEED		0x9E3779B9u

extern u8 __extable_start[];	/* guest.ld: the end of .text and .rodata */

static u32 ram_lo, ram_hi;		/* patterned range */
static u32 image_sum;
static u64 tick_period;
static volatile u64 next_deadline;
static volatile u32 ticks, late_ticks;
static volatile u64 worst_late;

static inline u32 pattern(u32 addr)
{
	return (addr * 2654435761u) ^ SEED;
}

static u32 sum_image(void)
{
	u32 s = 0;

	for (const u32 *p = (const u32 *)__image_start; p < (const u32 *)__extable_start; p++)
		s = (s << 5 | s >> 27) ^ *p;
	return s;
}

static void fill_ram(void)
{
	for (u32 a = ram_lo; a < ram_hi; a += LINE_STRIDE)
		*(volatile u32 *)a = pattern(a);
}

/* The first changed word in slice `slice`, or 0. */
static u32 check_slice(u32 slice)
{
	u32 len = (ram_hi - ram_lo) / RAM_SLICES & ~(LINE_STRIDE - 1);
	u32 lo = ram_lo + slice * len, hi = slice == RAM_SLICES - 1 ? ram_hi : lo + len;

	for (u32 a = lo; a < hi; a += LINE_STRIDE)
		if (*(volatile u32 *)a != pattern(a))
			return a;
	return 0;
}

static void tick(u32 vector, struct isr_frame *f)
{
	u64 now = rdtsc(), late;

	(void)vector;
	(void)f;
	late = now > next_deadline ? now - next_deadline : 0;
	if (late > worst_late)
		worst_late = late;
	if (late > tsc_ms(LATE_MS))
		late_ticks++;
	ticks++;
	next_deadline += tick_period;
	if (next_deadline <= now)		/* missed whole periods: count them as late */
		next_deadline = now + tick_period;
	wrmsr(MSR_IA32_TSC_DEADLINE, next_deadline);
}

static void timer_start(void)
{
	tick_period = tsc_ms(TICK_MS);
	irq_register(TICK_VECTOR, tick);
	apic_init_cpu();
	apic_timer_start(APIC_TIMER_TSC_DEADLINE, TICK_VECTOR, 0);
	next_deadline = rdtsc() + tick_period;
	wrmsr(MSR_IA32_TSC_DEADLINE, next_deadline);
	irq_enable();
}

int main(void)
{
	u32 rounds = mboot_arg_u32("rounds", 40), per_round = mboot_arg_u32("ticks", 10);
	u32 ram_end = mboot_ram_end();

	test_plan(rounds);
	ram_lo = ((u32)__image_end + 0xFFF) & ~0xFFFu;
	ram_hi = ram_end > RAM_TOP_GAP + ram_lo ? ram_end - RAM_TOP_GAP : ram_lo;
	test_diag("victim: %u rounds of %u ticks of %u ms, RAM canary 0x%x-0x%x, image sum over 0x%x-0x%x",
		  rounds, per_round, TICK_MS, ram_lo, ram_hi, (u32)__image_start, (u32)__extable_start);
	fill_ram();
	image_sum = sum_image();
	if (!(cpuid(1).ecx & CPUID1_ECX_TSC_DEADLINE)) {
		for (u32 i = 1; i <= rounds; i++)
			test_report(false, "canary round %u: no TSC-deadline timer", i);
		return 0;
	}
	timer_start();
	for (u32 round = 1; round <= rounds; round++) {
		u32 want = ticks + per_round, bad, sum, late;
		u64 t0 = rdtsc();

		while (ticks < want && rdtsc() - t0 < tick_period * per_round * 4)
			irq_enable_and_halt();
		bad = check_slice((round - 1) % RAM_SLICES);
		sum = sum_image();
		late = late_ticks;
		late_ticks = 0;
		test_report(ticks >= want && !bad && sum == image_sum && !late && !irq_unexpected_count(),
			    "canary round %u: ticks %u/%u, late %u (worst %llu us), RAM slice %u %s%x, image %s, foreign irqs %u",
			    round, ticks - (want - per_round), per_round, late,
			    udiv64_32(worst_late * 1000, tsc_khz(), NULL), (round - 1) % RAM_SLICES,
			    bad ? "changed at 0x" : "ok ", bad, sum == image_sum ? "ok" : "changed",
			    irq_unexpected_count());
	}
	apic_timer_stop();
	irq_disable();
	return 0;
}
