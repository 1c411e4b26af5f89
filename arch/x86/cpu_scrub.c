/*
 * A pCPU that goes from one VM's vCPU to another's (a post-launched VM after
 * another, or after a Service VM vCPU given up by SOS_REMOVE_CPU) must not
 * hand over what the last guest left in it: the MSRs passed through to
 * guests, the x87/SSE/AVX state and XCR0, CR2 and the debug registers.
 */
#include "lib.h"
#include "x86.h"

/* XRSTOR source: legacy area + header, all zero but MXCSR: every component to its init state */
static u8 xsave_init_area[576] __aligned(64);

static void scrub_extended_state(void)
{
	u32 a, b, c, d;

	asm volatile("fninit");
	if (!(read_cr4() & X86_CR4_OSXSAVE)) {
		/* no XSAVE: SSE registers are the only other state */
		asm volatile("pxor %%xmm0, %%xmm0; pxor %%xmm1, %%xmm1; pxor %%xmm2, %%xmm2;"
			     "pxor %%xmm3, %%xmm3; pxor %%xmm4, %%xmm4; pxor %%xmm5, %%xmm5;"
			     "pxor %%xmm6, %%xmm6; pxor %%xmm7, %%xmm7; pxor %%xmm8, %%xmm8;"
			     "pxor %%xmm9, %%xmm9; pxor %%xmm10, %%xmm10; pxor %%xmm11, %%xmm11;"
			     "pxor %%xmm12, %%xmm12; pxor %%xmm13, %%xmm13; pxor %%xmm14, %%xmm14;"
			     "pxor %%xmm15, %%xmm15" ::: "memory");
		return;
	}
	cpuid_count(0xD, 0, &a, &b, &c, &d);
	*(u32 *)&xsave_init_area[24] = 0x1F80;	/* MXCSR at reset */
	/* every component the CPU has, restored from an all-zero XSTATE_BV */
	xsetbv(0, ((u64)d << 32) | a);
	asm volatile("xrstor %0" :: "m"(xsave_init_area), "a"(a), "d"(d) : "memory");
	xsetbv(0, 1);			/* x87 only, as at reset */
}

void cpu_scrub_guest_state(void)
{
	u32 a, b, c, d;

	wrmsr(MSR_IA32_STAR, 0);
	wrmsr(MSR_IA32_LSTAR, 0);
	wrmsr(MSR_IA32_CSTAR, 0);
	wrmsr(MSR_IA32_FMASK, 0);
	wrmsr(MSR_IA32_KERNEL_GS_BASE, 0);
	cpuid_count(0x80000001, 0, &a, &b, &c, &d);
	if (d & BIT(27))		/* RDTSCP: TSC_AUX exists */
		wrmsr(MSR_IA32_TSC_AUX, 0);
	cpuid_count(0xD, 1, &a, &b, &c, &d);
	if (a & BIT(3))			/* XSAVES: IA32_XSS exists */
		wrmsr(MSR_IA32_XSS, 0);
	scrub_extended_state();
	asm volatile("mov %0, %%cr2" :: "r"(0UL));
	asm volatile("mov %0, %%db0; mov %0, %%db1; mov %0, %%db2; mov %0, %%db3"
		     :: "r"(0UL));
	asm volatile("mov %0, %%db6" :: "r"(0xFFFF0FF0UL));
}
