/*
 * MSR exits. The bitmap (msr_bitmap.c) passes through MSRs that are per-CPU guest state we do
 * not need to see (partitioned CPUs make that safe); the rest are emulated
 * here and anything unknown raises #GP, as on a CPU without that MSR.
 */
#include "lib.h"
#include "ratelimit.h"
#include "vmm_internal.h"
#include "x86.h"
#include "xstate.h"

static int msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	if (vlapic_msr_is_apic(msr))
		return vlapic_msr_read(&v->vlapic, msr, val);
	switch (msr) {
	case MSR_IA32_EFER:
		*val = v->efer;
		return 0;
	case MSR_IA32_PAT:
		*val = vmread(VMCS_GUEST_PAT);
		return 0;
	case MSR_IA32_FEATURE_CONTROL:
		*val = 1;		/* locked, VMX off */
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*val = BIT(0) | BIT(11) | BIT(12); /* fast strings; no BTS/PEBS */
		return 0;
	case MSR_IA32_BIOS_SIGN_ID:
		*val = 0;
		return 0;
	case MSR_IA32_TSC_ADJUST:
		*val = 0;
		return 0;
	case MSR_IA32_XSS:
		return xss_read(vmread(VMCS_PROC_CTLS2) & PROC2_XSAVES, val);
	default:
		return -EINVAL;
	}
}

static int msr_write(struct vcpu *v, u32 msr, u64 val)
{
	if (vlapic_msr_is_apic(msr))
		return vlapic_msr_write(&v->vlapic, msr, val);
	switch (msr) {
	case MSR_IA32_EFER:
		if (val & ~(u64)(X86_EFER_SCE | X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE))
			return -EINVAL;
		/* LMA is read-only: keep ours */
		v->efer = (val & ~X86_EFER_LMA) | (v->efer & X86_EFER_LMA);
		vmcs_update_ia32e(v);
		return 0;
	case MSR_IA32_PAT:
		for (int i = 0; i < 8; i++) {
			u8 t = (val >> (i * 8)) & 0xff;
			if (t == 2 || t == 3 || t > 7)
				return -EINVAL;
		}
		vmwrite(VMCS_GUEST_PAT, val);
		return 0;
	case MSR_IA32_XSS:		/* the hardware register stays 0 */
		return xss_write_check(vmread(VMCS_PROC_CTLS2) & PROC2_XSAVES, val);
	case MSR_IA32_BIOS_SIGN_ID:
	case MSR_IA32_TSC_ADJUST:
	case MSR_IA32_TSC:
	case MSR_IA32_MISC_ENABLE:
		return 0;		/* accepted and ignored */
	default:
		return -EINVAL;
	}
}

int vmx_exit_rdmsr(struct vcpu *v)
{
	u32 msr = (u32)v->gpr[GPR_RCX];
	u64 val;

	if (msr_read(v, msr, &val)) {
		pr_debug_ratelimited("VM %s: rdmsr 0x%x -> #GP\n", v->vm->name, msr);
		vcpu_inject_gp(v);
		return 0;
	}
	v->gpr[GPR_RAX] = (u32)val;
	v->gpr[GPR_RDX] = val >> 32;
	vcpu_advance_rip(v);
	return 0;
}

int vmx_exit_wrmsr(struct vcpu *v)
{
	u32 msr = (u32)v->gpr[GPR_RCX];
	u64 val = (v->gpr[GPR_RDX] << 32) | (u32)v->gpr[GPR_RAX];

	if (msr_write(v, msr, val)) {
		pr_debug_ratelimited("VM %s: wrmsr 0x%x <- 0x%lx -> #GP\n", v->vm->name, msr, val);
		vcpu_inject_gp(v);
		return 0;
	}
	vcpu_advance_rip(v);
	return 0;
}
