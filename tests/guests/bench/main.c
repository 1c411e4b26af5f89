/*
 * bench guest: exit costs measured with RDTSC (in Bochs the TSC counts
 * instructions, hence the unit "insns"). Each figure is the average over
 * BENCH_ITERS of the timed operation minus the average of an empty RDTSC
 * pair. Command line: qemu=1 (bare-QEMU runs), name=STR, latency=1 (only
 * latency.c's IPI and timer figures: scenario bench-latency, two vCPUs).
 */
#include "guest.h"
#include "bench.h"

#define BENCH_ITERS 1000
#define UNHANDLED_PORT 0x0D00 /* nobody emulates it: the read exits and returns all ones */

static u32 avg(u64 sum)
{
	return (u32)udiv64_32(sum, BENCH_ITERS, NULL);
}

static u32 empty_pair_avg(void)
{
	u64 sum = 0;

	for (u32 i = 0; i < BENCH_ITERS; i++) {
		u64 t0 = rdtsc();
		u64 t1 = rdtsc();

		sum += t1 - t0;
	}
	return avg(sum);
}

static u32 cpuid_avg(void)
{
	u64 sum = 0;

	for (u32 i = 0; i < BENCH_ITERS; i++) {
		u64 t0 = rdtsc();

		cpuid(0);
		u64 t1 = rdtsc();

		sum += t1 - t0;
	}
	return avg(sum);
}

static u32 pio_read_avg(u32 *bad)
{
	u64 sum = 0;

	*bad = 0;
	for (u32 i = 0; i < BENCH_ITERS; i++) {
		u64 t0 = rdtsc();
		u8 v = inb(UNHANDLED_PORT);
		u64 t1 = rdtsc();

		sum += t1 - t0;
		if (v != 0xFF)
			(*bad)++;
	}
	return avg(sum);
}

static u32 minus(u32 a, u32 b)
{
	return a > b ? a - b : 0;
}

int main(void)
{
	char name[32];
	u32 bad;

	test_plan(2);
	if (mboot_arg("name", name, sizeof(name)))
		test_diag("bench name=%s", name);
	if (mboot_arg("latency", name, sizeof(name))) {
		latency_bench();
		return 0;
	}
	(void)empty_pair_avg(); /* warm up */
	u32 empty = empty_pair_avg();
	u32 cpuid_cost = cpuid_avg();
	u32 pio_cost = pio_read_avg(&bad);

	test_diag("empty RDTSC pair %u, CPUID leaf 0 %u, inb %#x %u (raw averages)", empty,
		  cpuid_cost, UNHANDLED_PORT, pio_cost);
	test_bench("cpuid_exit", minus(cpuid_cost, empty), "insns");
	test_bench("unhandled_pio_read", minus(pio_cost, empty), "insns");
	test_report(true, "benchmarks ran (%u iterations each)", BENCH_ITERS);
	test_report(bad == 0, "unhandled port %#x read 0xff in every iteration (%u did not)",
		    UNHANDLED_PORT, bad);
	return 0;
}
