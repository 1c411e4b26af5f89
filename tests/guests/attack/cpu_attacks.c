/*
 * Attacks through the CPU's own state: extended state (IA32_XSS, XRSTORS,
 * XSETBV's bit groups), speculation-control and other host MSRs, VMX, and
 * storms (WBINVD, timers, console) that must cost only this VM's time.
 */
#include "attack.h"

#define XCR0_X87	BIT(0)
#define XCR0_SSE	BIT(1)
#define XCR0_AVX	BIT(2)
#define XCR0_BNDREGS	BIT(3)
#define XCR0_BNDCSR	BIT(4)
#define XCR0_OPMASK	BIT(5)
#define XCR0_TILECFG	BIT(17)
#define XSS_PT		BIT(8)
#define CR4_VMXE	BIT(13)
#define CR4_OSXSAVE	BIT(18)
#define CPUID1_ECX_XSAVE BIT(26)

#define MSR_SPEC_CTRL	0x48
#define MSR_PRED_CMD	0x49
#define MSR_FLUSH_CMD	0x10B

#define STORM_VECTOR	0x60
#define STORM_MAX	5000	/* the handler stops a storm that leaves no time between interrupts */
#define FLOOD_LINES	60

static u32 xgetbv0(void)
{
	u32 lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return lo;
}

static int xsetbv_safe(u32 ecx, u64 val)
{
	fault_arm();
	asm volatile("1: xsetbv\n2:\n" EXTABLE(1b, 2b)
		     : : "c"(ecx), "a"((u32)val), "d"((u32)(val >> 32)) : "memory");
	return fault_taken();
}

static bool have_xsave(void)
{
	return cpuid(1).ecx & CPUID1_ECX_XSAVE;
}

static void xsave_enable(void)
{
	u32 cr4;

	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	asm volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_OSXSAVE));
}

static void xss_write(void)
{
	u64 back = ~0ULL;
	int f = wrmsr_safe(MSR_IA32_XSS, XSS_PT);
	int rf = rdmsr_safe(MSR_IA32_XSS, &back);

	attack_result(f == X86_GP && (rf != NO_FAULT || back == 0), "xss-supervisor-write",
		      "WRMSR IA32_XSS = PT (bit 8): fault %d (want #GP), read back %d/%#llx", f, rf, back);
}

/* XRSTORS naming PT (a supervisor component the hypervisor does not switch per VM). */
static u8 xsave_area[4096] __aligned(64);

static void xrstors_supervisor(void)
{
	struct cpuid_regs d1 = cpuid_count(0xD, 1);
	u64 *hdr = (u64 *)(xsave_area + 512);
	int f;

	memset(xsave_area, 0, sizeof(xsave_area));
	hdr[0] = XSS_PT;			/* XSTATE_BV */
	hdr[1] = BIT64(63) | XSS_PT;		/* XCOMP_BV: compacted, PT */
	fault_arm();
	asm volatile("1: xrstors (%0)\n2:\n" EXTABLE(1b, 2b)
		     : : "r"(xsave_area), "a"(0xFFFFFFFFu), "d"(0xFFFFFFFFu) : "memory");
	f = fault_taken();
	attack_result(f == X86_GP || (f == X86_UD && !(d1.eax & BIT(3))), "xrstors-supervisor-state",
		      "XRSTORS of PT state (CPUID.0DH.1 EAX %#x): fault %d (want #GP, #UD without XSAVES)",
		      d1.eax, f);
}

static void xsetbv_case(const char *name, u32 ecx, u64 val)
{
	u32 before = xgetbv0(), after;
	int f = xsetbv_safe(ecx, val);

	after = xgetbv0();
	attack_result(f == X86_GP && after == before, name,
		      "XSETBV ecx %u value %#llx: fault %d (want #GP), XCR0 %#x -> %#x", ecx, val, f,
		      before, after);
}

static void xsetbv_attacks(void)
{
	const u64 base = XCR0_X87 | XCR0_SSE;

	xsetbv_case("xsetbv-mpx-bndregs-alone", 0, base | XCR0_BNDREGS);
	xsetbv_case("xsetbv-amx-tilecfg-alone", 0, base | XCR0_AVX | XCR0_TILECFG);
	xsetbv_case("xsetbv-avx512-opmask-alone", 0, base | XCR0_AVX | XCR0_OPMASK);
	xsetbv_case("xsetbv-without-x87", 0, XCR0_SSE);
	xsetbv_case("xsetbv-ecx-1", 1, base);
	xsetbv_case("xsetbv-reserved-bit-63", 0, base | BIT64(63));
	(void)XCR0_BNDCSR;
}

static void spec_msrs(void)
{
	int f1 = wrmsr_safe(MSR_SPEC_CTRL, BIT64(40));
	int f2 = wrmsr_safe(MSR_PRED_CMD, 2);
	int f3 = wrmsr_safe(MSR_FLUSH_CMD, 2);

	attack_result(f1 == X86_GP, "spec-ctrl-reserved-bits", "WRMSR SPEC_CTRL bit 40: fault %d (want #GP)", f1);
	attack_result(f2 == X86_GP, "pred-cmd-reserved-bits", "WRMSR PRED_CMD = 2: fault %d (want #GP)", f2);
	attack_result(f3 == X86_GP, "flush-cmd-reserved-bits", "WRMSR FLUSH_CMD = 2: fault %d (want #GP)", f3);
}

/* vCPU 1 reads its own SPEC_CTRL: it must not see what vCPU 0 wrote. */
static volatile u32 spec_seen = ~0u, spec_fault, spec_stop;

static void ap_read_spec(u32 arg)
{
	u64 v = ~0ULL;

	(void)arg;
	spec_fault = (u32)rdmsr_safe(MSR_SPEC_CTRL, &v);
	spec_seen = (u32)v;
	spec_stop = 1;
}

static void spec_ctrl_per_vcpu(void)
{
	/* CPUID.7.0:EDX[26]: IBRS/IBPB; without it SPEC_CTRL must #GP, as on real hardware */
	bool has = (cpuid_count(7, 0).edx >> 26) & 1;
	u64 mine = 0;
	int f = wrmsr_safe(MSR_SPEC_CTRL, 1), rf;	/* IBRS */

	rf = rdmsr_safe(MSR_SPEC_CTRL, &mine);
	spec_stop = 0;
	ap_run(ap_read_spec, 0, &spec_stop);
	ap_wait();
	if (f == NO_FAULT)
		wrmsr_safe(MSR_SPEC_CTRL, 0);
	if (!has) {
		attack_result(f == X86_GP && rf == X86_GP &&
			      (!ap_present() || spec_fault == (u32)X86_GP),
			      "spec-ctrl-ibrs-stays-per-vcpu",
			      "CPUID has no IBRS: WRMSR SPEC_CTRL fault %d, RDMSR fault %d, vCPU 1 fault %d "
			      "(want #GP each)", f, rf, (int)spec_fault);
		return;
	}
	attack_result(f == NO_FAULT && rf == NO_FAULT && mine == 1 &&
		      (!ap_present() || (spec_fault == (u32)NO_FAULT && spec_seen == 0)),
		      "spec-ctrl-ibrs-stays-per-vcpu",
		      "WRMSR SPEC_CTRL = IBRS on vCPU 0: fault %d, reads %#llx; vCPU 1 reads %#x (fault %d)",
		      f, mine, spec_seen, (int)spec_fault);
}

/* MSRs that reach the platform: each must #GP in a VM. */
static void host_msrs(void)
{
	static const struct { u32 msr; bool write; u64 val; } m[] = {
		{ 0x79, true, 0x100000 },	/* BIOS_UPDT_TRIG: a microcode update */
		{ 0x3A, true, 0x5 },		/* FEATURE_CONTROL */
		{ 0x1F2, true, 0x6 },		/* SMRR_PHYSBASE */
		{ 0x9B, true, 0x1 },		/* SMM_MONITOR_CTL */
		{ 0x480, false, 0 },		/* VMX_BASIC */
		{ 0x48C, false, 0 },		/* VMX_EPT_VPID_CAP */
	};
	u32 bad = 0, first = 0;

	for (u32 i = 0; i < ARRAY_SIZE(m); i++) {
		u64 v;
		int f = m[i].write ? wrmsr_safe(m[i].msr, m[i].val) : rdmsr_safe(m[i].msr, &v);

		if (f != X86_GP && !bad++)
			first = m[i].msr;
	}
	attack_result(!bad, "host-msrs", "microcode trigger, FEATURE_CONTROL, SMRR, SMM monitor, VMX capabilities: "
		      "%u of %u did not #GP (first %#x)", bad, (u32)ARRAY_SIZE(m), first);
}

static void vmx_in_guest(void)
{
	u32 cr4;
	int f1, f2;
	u64 region = 0;

	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	fault_arm();
	asm volatile("1: mov %0, %%cr4\n2:\n" EXTABLE(1b, 2b) : : "r"(cr4 | CR4_VMXE) : "memory");
	f1 = fault_taken();
	fault_arm();
	asm volatile("1: vmxon %0\n2:\n" EXTABLE(1b, 2b) : : "m"(region) : "memory");
	f2 = fault_taken();
	attack_result(f1 == X86_GP && f2 == X86_UD, "vmx-in-guest",
		      "CR4.VMXE: fault %d (want #GP); VMXON: fault %d (want #UD)", f1, f2);
}

/* ---- storms: they may cost this VM's time, never the victim's ---- */

static volatile u32 storm_stop;

static void ap_wbinvd(u32 arg)
{
	(void)arg;
	asm volatile("wbinvd" ::: "memory");
}

static void wbinvd_storm(void)
{
	u32 n = 0;
	u64 end = rdtsc() + tsc_ms(100);

	storm_stop = 0;
	ap_run(ap_wbinvd, 0, &storm_stop);
	while (rdtsc() < end) {
		asm volatile("wbinvd" ::: "memory");
		n++;
	}
	storm_stop = 1;
	attack_result(ap_wait(), "wbinvd-storm", "%u WBINVDs on vCPU 0 in 100 ms while vCPU 1 ran them too", n);
}

static volatile u32 storm_irqs;

static void storm_tick(u32 vector, struct isr_frame *f)
{
	(void)vector;
	(void)f;
	if (++storm_irqs >= STORM_MAX)
		apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
}

static void deadline_tick(u32 vector, struct isr_frame *f)
{
	(void)vector;
	(void)f;
	if (++storm_irqs < STORM_MAX)
		wrmsr(MSR_IA32_TSC_DEADLINE, 1);	/* already past: fire again at once */
}

static void timer_storm(void)
{
	u64 end;

	irq_register(STORM_VECTOR, storm_tick);
	storm_irqs = 0;
	apic_timer_start(APIC_TIMER_PERIODIC, STORM_VECTOR, 1);
	irq_enable();
	end = rdtsc() + tsc_ms(100);
	while (rdtsc() < end)
		cpu_relax();
	irq_disable();
	apic_timer_stop();
	attack_result(storm_irqs > 0, "lapic-timer-storm",
		      "periodic LAPIC timer, count 1, for 100 ms or %u interrupts: %u taken", STORM_MAX, storm_irqs);

	if (!(cpuid(1).ecx & CPUID1_ECX_TSC_DEADLINE)) {
		attack_result(false, "tsc-deadline-storm", "no TSC-deadline timer offered");
		return;
	}
	irq_register(STORM_VECTOR, deadline_tick);
	storm_irqs = 0;
	apic_timer_start(APIC_TIMER_TSC_DEADLINE, STORM_VECTOR, 0);
	wrmsr(MSR_IA32_TSC_DEADLINE, 1);
	irq_enable();
	end = rdtsc() + tsc_ms(100);
	while (rdtsc() < end)
		cpu_relax();
	irq_disable();
	wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	apic_timer_stop();
	attack_result(storm_irqs > 0, "tsc-deadline-storm",
		      "TSC deadline re-armed in the past from its own handler, 100 ms or %u interrupts: %u", STORM_MAX, storm_irqs);
}

static volatile u32 flood_stop, flood_ap_lines;

static void ap_flood(u32 arg)
{
	(void)arg;
	if (flood_ap_lines < FLOOD_LINES)
		printf("# flood from vCPU 1, line %u: the quick brown fox jumps over the lazy dog\n",
		       ++flood_ap_lines);
	else
		flood_stop = 1;
}

static void console_flood(void)
{
	flood_stop = 0;
	flood_ap_lines = 0;
	ap_run(ap_flood, 0, &flood_stop);
	for (u32 i = 1; i <= FLOOD_LINES; i++)
		printf("# flood from vCPU 0, line %u: the quick brown fox jumps over the lazy dog\n", i);
	attack_result(ap_wait(), "console-flood", "%u lines from each vCPU as fast as COM1 takes them",
		      FLOOD_LINES);
}

void cpu_attacks(void)
{
	xss_write();
	if (have_xsave()) {
		xsave_enable();
		xrstors_supervisor();
		xsetbv_attacks();
	} else {
		for (u32 i = 0; i < 7; i++)
			attack_result(false, "xsave", "no XSAVE offered: the extended-state attacks cannot run");
	}
	spec_msrs();
	spec_ctrl_per_vcpu();
	host_msrs();
	vmx_in_guest();
	wbinvd_storm();
	timer_storm();
	console_flood();
}
