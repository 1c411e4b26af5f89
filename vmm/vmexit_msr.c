/*
 * MSR exits. The bitmap passes through MSRs that are per-CPU guest state we do
 * not need to see (partitioned CPUs make that safe); the rest are emulated
 * here and anything unknown raises #GP, as on a CPU without that MSR.
 */
#include "lib.h"
#include "vmm_internal.h"
#include "x86.h"

static const u32 passthrough_msrs[] = {
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_IA32_STAR, MSR_IA32_LSTAR, MSR_IA32_CSTAR, MSR_IA32_FMASK,
	MSR_IA32_FS_BASE, MSR_IA32_GS_BASE, MSR_IA32_KERNEL_GS_BASE,
	MSR_IA32_TSC_AUX, MSR_IA32_TSC,
	MSR_IA32_XSS,		/* like XCR0: per-pCPU state the host never uses */
};

static void bitmap_clear(u8 *bm, u32 msr)
{
	/* read-low 0, read-high 1024, write-low 2048, write-high 3072 */
	u32 base = msr >= 0xC0000000 ? 1024 : 0, idx = msr & 0x1fff;

	bm[base + idx / 8] &= ~(1 << (idx % 8));
	bm[base + 2048 + idx / 8] &= ~(1 << (idx % 8));
}

void vmx_msr_bitmap_init(u8 *bm)
{
	memset(bm, 0xff, PAGE_SIZE);
	for (unsigned i = 0; i < ARRAY_SIZE(passthrough_msrs); i++)
		bitmap_clear(bm, passthrough_msrs[i]);
	/* TSC writes must not reach the shared hardware counter */
	bm[2048 + MSR_IA32_TSC / 8] |= 1 << (MSR_IA32_TSC % 8);
}

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
		pr_debug("VM %s: rdmsr 0x%x -> #GP\n", v->vm->name, msr);
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
		pr_debug("VM %s: wrmsr 0x%x <- 0x%lx -> #GP\n", v->vm->name, msr, val);
		vcpu_inject_gp(v);
		return 0;
	}
	vcpu_advance_rip(v);
	return 0;
}
