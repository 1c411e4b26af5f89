/* vCPU start-up, LAPIC timer modes, IPIs, MMIO decode forms, IOAPIC and x2APIC. */
#include "selftest.h"

#define TIMER_VECTOR 0x40
#define IPI_VECTOR 0x41
#define SELF_IPI_VECTOR 0x42
#define TIMER_COUNT 20000
#define PERIODIC_IRQS 5
#define SMP_TIMEOUT_MS 1000
#define IRQ_TIMEOUT_MS 1000
#define ONESHOT_SETTLE_PERIODS 20 /* how long to watch for a second one-shot interrupt */
#define DEADLINE_PERIODS 10

static volatile u32 timer_irqs;
static volatile u64 timer_first_tsc, timer_last_tsc;
static volatile u32 ipi_irqs[GUEST_MAX_CPUS];
static volatile u32 self_ipi_irqs;
static u64 timer_period; /* TSC ticks per periodic interrupt; 0 if not measured */

static void timer_handler(u32 vector, struct isr_frame *f)
{
	u64 now = rdtsc();

	(void)vector;
	(void)f;
	if (!timer_irqs)
		timer_first_tsc = now;
	timer_last_tsc = now;
	timer_irqs++;
}

static void ipi_handler(u32 vector, struct isr_frame *f)
{
	(void)vector;
	(void)f;
	ipi_irqs[this_cpu()->index]++;
}

static void self_ipi_handler(u32 vector, struct isr_frame *f)
{
	(void)vector;
	(void)f;
	self_ipi_irqs++;
}

/* Let anything already pending be delivered, then forget it. */
static void timer_drain(void)
{
	irq_enable();
	tsc_delay(timer_period ? timer_period * 2 : tsc_ms(1));
	irq_disable();
	timer_irqs = 0;
}

static void ap_entry(u32 apic_id)
{
	test_diag("AP up: APIC id %u (xAPIC ID register %#x)", apic_id, apic_read(APIC_ID));
	smp_ap_idle(apic_id);
}

void smp_tests(void)
{
	u32 expect = params.vcpus - 1;

	if (params.vcpus < 2) {
		test_skip("vcpus=1", "all APs start (INIT-SIPI-SIPI via xAPIC ICR)");
		test_skip("vcpus=1", "APs report APIC ids 1..N-1");
		return;
	}
	if (params.vcpus > GUEST_MAX_CPUS)
		test_diag("vcpus=%u: this guest starts at most %u CPUs", params.vcpus, GUEST_MAX_CPUS);
	irq_register(IPI_VECTOR, ipi_handler);
	u32 got = smp_start_aps(params.vcpus, ap_entry, SMP_TIMEOUT_MS);

	test_report(got == expect, "all APs start (INIT-SIPI-SIPI via xAPIC ICR): %u of %u arrived",
		    got, expect);
	u32 want = (params.vcpus >= 32 ? 0xFFFFFFFFu : BIT(params.vcpus) - 1) & ~1u;

	test_report(smp_ap_mask == want, "APs report APIC ids 1..%u (mask %#x, want %#x)", expect,
		    smp_ap_mask, want);
}

static void periodic_test(void)
{
	timer_irqs = 0;
	apic_timer_start(APIC_TIMER_PERIODIC, TIMER_VECTOR, TIMER_COUNT);
	irq_enable();
	wait_for_count(&timer_irqs, PERIODIC_IRQS, IRQ_TIMEOUT_MS);
	irq_disable();
	apic_timer_stop();

	u32 n = timer_irqs;

	timer_period = n >= 2 ? udiv64_32(timer_last_tsc - timer_first_tsc, n - 1, NULL) : 0;
	test_report(n >= PERIODIC_IRQS,
		    "LAPIC timer periodic (divide 1, count %u, vector %#x): %u interrupts (want >= %u), %llu TSC ticks apart",
		    TIMER_COUNT, TIMER_VECTOR, n, PERIODIC_IRQS, timer_period);
	timer_drain();
}

static void oneshot_test(void)
{
	timer_irqs = 0;
	apic_timer_start(APIC_TIMER_ONESHOT, TIMER_VECTOR, TIMER_COUNT);
	irq_enable();
	wait_for_count(&timer_irqs, 1, IRQ_TIMEOUT_MS);
	tsc_delay(timer_period ? timer_period * ONESHOT_SETTLE_PERIODS : tsc_ms(10));
	irq_disable();

	u32 n = timer_irqs;
	u32 cur = apic_read(APIC_TIMER_CUR);

	apic_timer_stop();
	test_report(n == 1 && cur == 0,
		    "LAPIC timer one-shot: exactly 1 interrupt (got %u), current count %u after expiry",
		    n, cur);
	timer_drain();
}

static void deadline_test(void)
{
	if (!(cpuid(1).ecx & CPUID1_ECX_TSC_DEADLINE)) {
		test_skip("no CPUID.1:ECX[24]", "LAPIC timer TSC-deadline mode");
		return;
	}
	timer_irqs = 0;
	apic_timer_start(APIC_TIMER_TSC_DEADLINE, TIMER_VECTOR, 0);
	(void)apic_read(APIC_LVT_TIMER); /* the mode must be in place before the MSR write */

	u64 delta = timer_period ? timer_period * DEADLINE_PERIODS : tsc_ms(1);
	u64 deadline = rdtsc() + delta;
	int fault = wrmsr_safe(MSR_IA32_TSC_DEADLINE, deadline);

	irq_enable();
	wait_for_count(&timer_irqs, 1, IRQ_TIMEOUT_MS);
	irq_disable();

	u32 n = timer_irqs;
	u64 at = timer_first_tsc;

	wrmsr_safe(MSR_IA32_TSC_DEADLINE, 0);
	apic_timer_stop();
	if (fault != NO_FAULT)
		test_diag("WRMSR 0x6E0 raised vector %d", fault);
	if (n && at < deadline)
		test_diag("interrupt %llu TSC ticks before the deadline", deadline - at);
	test_report(fault == NO_FAULT && n == 1 && at >= deadline,
		    "LAPIC timer TSC-deadline (MSR 0x6E0, %llu ticks ahead): %u interrupt, not early",
		    delta, n);
	timer_drain();
}

void timer_tests(void)
{
	irq_register(TIMER_VECTOR, timer_handler);
	periodic_test();
	oneshot_test();
	deadline_test();
}

void ipi_tests(void)
{
	if (params.vcpus < 2) {
		test_skip("vcpus=1", "fixed IPI from BSP to AP 1");
		return;
	}
	ipi_irqs[1] = 0;
	bool sent = apic_send_ipi(1, APIC_ICR_FIXED | APIC_ICR_ASSERT | IPI_VECTOR);
	bool got = wait_for_count(&ipi_irqs[1], 1, IRQ_TIMEOUT_MS);

	test_report(sent && got && ipi_irqs[1] == 1,
		    "fixed IPI vector %#x from BSP to AP 1: %u received%s", IPI_VECTOR, ipi_irqs[1],
		    sent ? "" : " (ICR stayed busy)");
}

/* The same xAPIC register read through four instruction forms the hypervisor must decode. */
void mmio_decode_tests(void)
{
	const u32 addr = XAPIC_BASE + APIC_VERSION;
	const u32 fill = 0xA5A5A5A5;
	u32 full, bz, wz, al;

	asm volatile("movl (%1), %0" : "=r"(full) : "r"(addr) : "memory");
	asm volatile("movzbl (%1), %0" : "=r"(bz) : "r"(addr) : "memory");
	asm volatile("movzwl (%1), %0" : "=r"(wz) : "r"(addr) : "memory");
	asm volatile("movb (%1), %%al" : "=a"(al) : "r"(addr), "0"(fill) : "memory");

	u32 version = full & 0xFF, max_lvt = (full >> 16) & 0xFF;

	test_report((version & 0xF0) == 0x10 && max_lvt >= 3 && max_lvt < 0xFF,
		    "MMIO mov eax,[xAPIC version]: %#x (version %#x, max LVT %u)", full, version,
		    max_lvt);
	test_report(bz == (full & 0xFF), "MMIO movzx eax,byte [xAPIC version]: %#x", bz);
	test_report(wz == (full & 0xFFFF), "MMIO movzx eax,word [xAPIC version]: %#x", wz);
	test_report(al == ((fill & ~0xFFu) | (full & 0xFF)),
		    "MMIO mov al,[xAPIC version]: eax %#x (upper bytes kept)", al);
}

void ioapic_tests(void)
{
	u32 ver = ioapic_read(IOAPIC_REG_VERSION);
	u32 max = (ver >> 16) & 0xFF;

	test_report(max == 23, "IOAPIC version register %#x: max redirection entry %u (want 23)",
		    ver, max);
}

void x2apic_tests(void)
{
	if (!apic_x2apic_supported()) {
		test_skip("no CPUID.1:ECX[21]", "x2APIC enable, ID MSR 0x802 = 0 on BSP");
		test_skip("no CPUID.1:ECX[21]", "x2APIC version MSR 0x803");
		test_skip("no CPUID.1:ECX[21]", "x2APIC self-IPI via MSR 0x83F");
		return;
	}
	u32 xver = apic_read(APIC_VERSION);
	bool on = apic_enable_x2apic();
	u64 base = 0, id = ~0ull, ver = 0;

	rdmsr_safe(MSR_IA32_APIC_BASE, &base);
	if (on && !(base & APIC_BASE_X2APIC_ENABLE)) {
		this_cpu()->x2apic = false; /* the switch did not happen: keep using MMIO */
		on = false;
	}
	int fault = on ? rdmsr_safe(X2APIC_MSR(APIC_ID), &id) : X86_GP;

	test_report(on && fault == NO_FAULT && id == 0,
		    "x2APIC enable via IA32_APIC_BASE bit 10 (base %#llx), ID MSR 0x802 = %#llx on BSP",
		    base, id);
	fault = on ? rdmsr_safe(X2APIC_MSR(APIC_VERSION), &ver) : X86_GP;
	test_report(fault == NO_FAULT && ((u32)ver & 0x00FF00FF) == (xver & 0x00FF00FF),
		    "x2APIC version MSR 0x803 = %#llx matches xAPIC version register %#x", ver, xver);

	irq_register(SELF_IPI_VECTOR, self_ipi_handler);
	self_ipi_irqs = 0;
	fault = on ? wrmsr_safe(X2APIC_MSR(APIC_SELF_IPI), SELF_IPI_VECTOR) : X86_GP;
	irq_enable();
	wait_for_count(&self_ipi_irqs, 1, IRQ_TIMEOUT_MS);
	irq_disable();
	test_report(fault == NO_FAULT && self_ipi_irqs == 1,
		    "x2APIC self-IPI via MSR 0x83F, vector %#x: %u received", SELF_IPI_VECTOR,
		    self_ipi_irqs);
}
