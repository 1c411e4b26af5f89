/*
 * The speculation controls of this CPU (include/spec_ctrl.h): read once,
 * and the few writes the hypervisor makes. Thin, so the rules that use
 * them are tested on faked capabilities.
 */
#include "lib.h"
#include "spec_ctrl.h"
#include "x86.h"

void cpu_spec_caps_read(struct spec_caps *c)
{
	u32 a, b, cx, d;

	cpuid_count(0, 0, &a, &b, &cx, &d);
	if (a < 7)
		b = d = 0;
	else
		cpuid_count(7, 0, &a, &b, &cx, &d);
	c->cpuid7_ebx = b;
	c->cpuid7_edx = d;
	c->arch_caps = (d & CPUID7_EDX_ARCH_CAP) ? rdmsr(MSR_IA32_ARCH_CAPABILITIES) : 0;
}

void cpu_spec_ctrl_write(u64 val)
{
	wrmsr(MSR_IA32_SPEC_CTRL, val);
}

void cpu_ibpb(void)
{
	wrmsr(MSR_IA32_PRED_CMD, PRED_CMD_IBPB);
}

void cpu_l1d_flush(void)
{
	wrmsr(MSR_IA32_FLUSH_CMD, FLUSH_CMD_L1D);
}
