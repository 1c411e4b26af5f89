/*
 * Interrupt latencies inside one VM, x2APIC mode (bench guest, two vCPUs):
 *   ipi_latency_insns: vCPU 0 writes the ICR (fixed, physical, vCPU 1);
 *     TSC at the handler's entry on vCPU 1 (asleep in HLT) minus the TSC
 *     before the write. Bochs's TSC is one counter for all its CPUs.
 *   timer_irq_latency_insns: vCPU 0 arms IA32_TSC_DEADLINE with T and
 *     halts; TSC at the handler's entry minus T.
 * "Handler entry" is the first line of the C handler, after the guest's own
 * interrupt stub. Each figure is the median of LAT_SAMPLES runs (min and
 * max are shown as a diagnostic).
 */
#include "guest.h"
#include "apic.h"
#include "idt.h"
#include "smp.h"
#include "tsc.h"
#include "bench.h"

#define LAT_SAMPLES 64
#define IPI_VECTOR 0x40
#define TIMER_VECTOR 0x41
#define MSR_TSC_DEADLINE 0x6E0
#define SETTLE_TICKS 20000	/* the target is back in HLT (asleep in the hypervisor) by then */
#define TIMER_AHEAD 5000	/* the deadline: this far after the write */
#define WAIT_MS 200

static volatile u64 stamp;	/* TSC at the last handler entry */
static volatile u32 stamps;
static volatile u32 ap_x2apic;	/* 1: the AP switched, 2: it could not */

static void stamp_handler(u32 vector, struct isr_frame *f)
{
	stamp = rdtsc();
	(void)vector;
	(void)f;
	stamps++;
}

static void ap_main(u32 apic_id)
{
	ap_x2apic = apic_enable_x2apic() ? 1 : 2;
	smp_ap_idle(apic_id);
}

static void sort(u32 *a, u32 n)
{
	for (u32 i = 1; i < n; i++) {
		u32 x = a[i], j = i;

		for (; j && a[j - 1] > x; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

/* The figure (median), with min and max said; false when a sample was lost. */
static void report(const char *name, u32 *s, u32 got)
{
	sort(s, got);
	test_diag("%s: min %u median %u max %u (%u samples)", name, s[0], s[got / 2], s[got - 1],
		  got);
	test_bench(name, s[got / 2], "insns");
}

static u32 ipi_samples(u32 *s)
{
	u32 got = 0;

	for (u32 i = 0; i < LAT_SAMPLES; i++) {
		u32 before = stamps;

		tsc_delay(SETTLE_TICKS);
		u64 t0 = rdtsc();

		wrmsr(X2APIC_MSR(APIC_ICR_LO), ((u64)1 << 32) | APIC_ICR_FIXED | IPI_VECTOR);
		if (!wait_for_count(&stamps, before + 1, WAIT_MS))
			break;
		s[got++] = (u32)(stamp - t0);
	}
	return got;
}

static u32 timer_samples(u32 *s, u32 *early)
{
	u32 got = 0;

	*early = 0;
	apic_timer_start(APIC_TIMER_TSC_DEADLINE, TIMER_VECTOR, 0);
	(void)apic_read(APIC_LVT_TIMER);	/* the mode is in place before the MSR write */
	for (u32 i = 0; i < LAT_SAMPLES; i++) {
		u32 before = stamps;
		u64 limit = rdtsc() + tsc_ms(WAIT_MS), t = rdtsc() + TIMER_AHEAD;

		wrmsr(MSR_TSC_DEADLINE, t);
		while (stamps == before && rdtsc() < limit)
			irq_enable_and_halt();
		irq_disable();
		if (stamps == before)
			break;
		if (stamp < t)
			(*early)++;
		s[got++] = stamp >= t ? (u32)(stamp - t) : 0;
	}
	wrmsr(MSR_TSC_DEADLINE, 0);
	apic_timer_stop();
	return got;
}

/* Two tests: the IPI figure, the timer figure. */
void latency_bench(void)
{
	static u32 s[LAT_SAMPLES];
	u32 got, early;

	if (!apic_x2apic_supported()) {
		test_skip("no x2APIC", "IPI latency");
		test_skip("no x2APIC", "timer latency");
		return;
	}
	irq_register(IPI_VECTOR, stamp_handler);
	irq_register(TIMER_VECTOR, stamp_handler);
	apic_init_cpu();
	got = smp_start_aps(2, ap_main, 1000);
	wait_for_count(&ap_x2apic, 1, 1000);
	if (got != 1 || ap_x2apic != 1 || !apic_enable_x2apic()) {
		test_report(false, "IPI latency: vCPU 1 started (%u) and both in x2APIC mode (AP %u)",
			    got, ap_x2apic);
		test_skip("no IPI set-up", "timer latency");
		return;
	}
	got = ipi_samples(s);
	if (got)
		report("ipi_latency_insns", s, got);
	test_report(got == LAT_SAMPLES, "IPI vCPU 0 -> vCPU 1 (x2APIC ICR, fixed): %u of %u arrived",
		    got, LAT_SAMPLES);

	got = timer_samples(s, &early);
	if (got)
		report("timer_irq_latency_insns", s, got);
	test_report(got == LAT_SAMPLES && !early,
		    "TSC-deadline timer: %u of %u fired, %u before their deadline", got, LAT_SAMPLES,
		    early);
}
