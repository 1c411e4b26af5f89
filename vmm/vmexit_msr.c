/*
 * MSR exits. The bitmap (msr_bitmap.c) passes through MSRs that are per-CPU guest state we do
 * not need to see (partitioned CPUs make that safe); the rest are emulated
 * here and anything unknown raises #GP, as on a CPU without that MSR.
 * The speculation MSRs exit too: their rules (include/spec_ctrl.h) follow
 * the CPUID bits the guest sees.
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
	case MSR_IA32_SPEC_CTRL:
		if (!spec_ctrl_valid_bits(&spec_host))
			return -EINVAL;
		*val = v->spec_ctrl;
		return 0;
	case MSR_IA32_ARCH_CAPABILITIES:
		return spec_arch_caps_read(&spec_host, val);
	default:	/* PRED_CMD and FLUSH_CMD among them: write-only */
		return -EINVAL;
	}
}

/* IA32_PRED_CMD (IBPB) or IA32_FLUSH_CMD (L1D flush): a command done for the guest. */
static int spec_command(u32 msr, u64 val)
{
	bool ibpb = msr == MSR_IA32_PRED_CMD;

	if (ibpb ? spec_pred_cmd_write_check(&spec_host, val) : spec_flush_cmd_write_check(&spec_host, val))
		return -EINVAL;
	if (val && ibpb)		/* bit 0 is the only one the checks let through */
		cpu_ibpb();
	else if (val)
		cpu_l1d_flush();
	return 0;
}

static int msr_write(struct vcpu *v, u32 msr, u64 val)
{
	if (msr == MSR_X2APIC_ICR)	/* the most written one: every IPI */
		return vlapic_x2apic_icr_write(&v->vlapic, val);
	if (vlapic_msr_is_apic(msr)) {
		int ret = vlapic_msr_write(&v->vlapic, msr, val);

		/* x2APIC mode, TSC-deadline mode on or off */
		if ((msr == MSR_IA32_APIC_BASE || msr == MSR_X2APIC_FIRST + (APIC_LVT_TIMER >> 4)) &&
		    !ret)
			vcpu_lapic_update(v);
		return ret;
	}
	switch (msr) {
	case MSR_IA32_EFER:
		if (val & ~(u64)(X86_EFER_SCE | X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE))
			return -EINVAL;
		/* LME cannot change while paging is on (SDM 2.2.1) */
		if (((val ^ v->efer) & X86_EFER_LME) && (v->cr0_shadow & X86_CR0_PG))
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
	case MSR_IA32_SPEC_CTRL:	/* the vCPU's own value, in the hardware while it runs */
		if (spec_ctrl_write_check(&spec_host, val))
			return -EINVAL;
		v->spec_ctrl = val;
		cpu_spec_ctrl_write(val);
		return 0;
	case MSR_IA32_PRED_CMD:
	case MSR_IA32_FLUSH_CMD:
		return spec_command(msr, val);
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
