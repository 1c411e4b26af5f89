/* TSC helpers. Timeouts only bound failures: waits end as soon as their condition holds. */
#include "tsc.h"
#include "x86.h"

#define HV_LEAF_BASE 0x40000000
#define HV_LEAF_TSC_KHZ 0x40000010
#define TSC_KHZ_MIN 1000u /* 1 MHz */
#define TSC_KHZ_MAX 100000000u /* 100 GHz */

static u32 cached_khz;

u32 tsc_khz(void)
{
	if (cached_khz)
		return cached_khz;
	cached_khz = TSC_KHZ_FALLBACK;
	if ((cpuid(1).ecx & CPUID1_ECX_HYPERVISOR) && cpuid(HV_LEAF_BASE).eax >= HV_LEAF_TSC_KHZ) {
		u32 khz = cpuid(HV_LEAF_TSC_KHZ).eax;

		if (khz >= TSC_KHZ_MIN && khz <= TSC_KHZ_MAX)
			cached_khz = khz;
	}
	return cached_khz;
}

u64 tsc_ms(u32 ms)
{
	return (u64)ms * tsc_khz();
}

void tsc_delay(u64 ticks)
{
	u64 end = rdtsc() + ticks;

	while (rdtsc() < end)
		cpu_relax();
}

void tsc_delay_us(u32 us)
{
	tsc_delay(udiv64_32((u64)us * tsc_khz(), 1000, NULL));
}

bool wait_for_count(const volatile u32 *p, u32 target, u32 timeout_ms)
{
	u64 end = rdtsc() + tsc_ms(timeout_ms);

	for (;;) {
		if (*p >= target)
			return true;
		if (rdtsc() >= end)
			return *p >= target;
		cpu_relax();
	}
}
