/*
 * MSR exits (vmm/vmexit_msr.c) on a fake VMCS: unknown MSRs #GP both ways
 * with the guest's registers untouched; EFER's reserved bits and LME under
 * paging refused, LMA kept; PAT's reserved memory types refused; the
 * speculation MSRs only as the CPU has them (SPEC_CTRL per vCPU, IBPB and
 * L1D flush done for the guest); XSS stays 0; x2APIC MSRs go to the vLAPIC.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "vm.h"
#include "vmm_internal.h"
#include "x86.h"
#include "fake_vmcs.h"

#define RIP		0x2000
#define INSN_LEN	2
#define MSR_UNKNOWN	0x1234

struct spec_caps spec_host;
static struct vm vm;
static struct vcpu v;
static struct { unsigned ia32e, ibpbs, l1d_flushes, spec_writes, lapic_updates; u64 spec_ctrl;
		u32 apic_msr; u64 apic_val; } hw;

void vmcs_update_ia32e(struct vcpu *vc) { (void)vc; hw.ia32e++; }
void vcpu_lapic_update(struct vcpu *vc) { (void)vc; hw.lapic_updates++; }
void cpu_ibpb(void) { hw.ibpbs++; }
void cpu_l1d_flush(void) { hw.l1d_flushes++; }
void cpu_spec_ctrl_write(u64 val) { hw.spec_writes++; hw.spec_ctrl = val; }

bool vlapic_msr_is_apic(u32 msr)
{
	return msr == MSR_IA32_APIC_BASE || (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_FIRST + 0x3F);
}

int vlapic_msr_read(struct vlapic *l, u32 msr, u64 *val)
{
	assert_ptr_equal(l, &v.vlapic);
	hw.apic_msr = msr;
	*val = 0xFEE00900;
	return 0;
}

/* the ICR's own entry (every IPI): no mode or timer change behind it */
int vlapic_x2apic_icr_write(struct vlapic *l, u64 val)
{
	assert_ptr_equal(l, &v.vlapic);
	hw.apic_msr = MSR_X2APIC_ICR;
	hw.apic_val = val;
	return 0;
}

int vlapic_msr_write(struct vlapic *l, u32 msr, u64 val)
{
	assert_ptr_equal(l, &v.vlapic);
	hw.apic_msr = msr;
	hw.apic_val = val;
	return val == ~0ULL ? -EINVAL : 0;
}

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(&v, 0, sizeof(v));
	memset(&hw, 0, sizeof(hw));
	memset(&spec_host, 0, sizeof(spec_host));
	vm.name = "test";
	v.vm = &vm;
	fake_vmcs_reset();
	fake_vmcs_set(VMCS_GUEST_RIP, RIP);
	fake_vmcs_set(VMCS_EXIT_INSN_LEN, INSN_LEN);
	return 0;
}

static void done(bool faulted)
{
	assert_int_equal(v.pending_exc, faulted);
	if (faulted)
		assert_int_equal(v.exc_vector, 13);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), faulted ? RIP : RIP + INSN_LEN);
	v.pending_exc = false;
	fake_vmcs_set(VMCS_GUEST_RIP, RIP);
}

static void guest_wrmsr(u32 msr, u64 val, bool faults)
{
	v.gpr[GPR_RCX] = 0xFFFFFFFF00000000ULL | msr;	/* only ECX counts */
	v.gpr[GPR_RAX] = 0xAAAAAAAA00000000ULL | (u32)val;
	v.gpr[GPR_RDX] = val >> 32;
	assert_int_equal(vmx_exit_wrmsr(&v), 0);
	done(faults);
}

static u64 guest_rdmsr(u32 msr, bool faults)
{
	v.gpr[GPR_RCX] = msr;
	v.gpr[GPR_RAX] = 0x1111;
	v.gpr[GPR_RDX] = 0x2222;
	assert_int_equal(vmx_exit_rdmsr(&v), 0);
	done(faults);
	if (faults) {
		/* a faulting RDMSR leaves EDX:EAX alone */
		assert_int_equal(v.gpr[GPR_RAX], 0x1111);
		assert_int_equal(v.gpr[GPR_RDX], 0x2222);
		return 0;
	}
	return v.gpr[GPR_RDX] << 32 | v.gpr[GPR_RAX];
}

static void test_unknown(void **state)
{
	(void)state;
	guest_rdmsr(MSR_UNKNOWN, true);
	guest_wrmsr(MSR_UNKNOWN, 1, true);
	/* write-only commands read as #GP; FEATURE_CONTROL says VMX is locked off */
	guest_rdmsr(MSR_IA32_PRED_CMD, true);
	assert_int_equal(guest_rdmsr(MSR_IA32_FEATURE_CONTROL, false), 1);
	/* accepted and ignored */
	guest_wrmsr(MSR_IA32_TSC_ADJUST, 5, false);
	assert_int_equal(guest_rdmsr(MSR_IA32_TSC_ADJUST, false), 0);
}

static void test_efer(void **state)
{
	(void)state;
	guest_wrmsr(MSR_IA32_EFER, BIT(1), true);			/* reserved */
	guest_wrmsr(MSR_IA32_EFER, X86_EFER_LME | X86_EFER_NXE | X86_EFER_SCE, false);
	assert_int_equal(v.efer, X86_EFER_LME | X86_EFER_NXE | X86_EFER_SCE);
	assert_int_equal(hw.ia32e, 1);
	/* LMA is the CPU's to set: a write of it is ignored, a write without it keeps ours */
	guest_wrmsr(MSR_IA32_EFER, X86_EFER_LME | X86_EFER_LMA, false);
	assert_int_equal(v.efer, X86_EFER_LME);
	v.efer |= X86_EFER_LMA;
	v.cr0_shadow = X86_CR0_PE | X86_CR0_PG;
	guest_wrmsr(MSR_IA32_EFER, X86_EFER_LME | X86_EFER_SCE, false);
	assert_int_equal(v.efer, X86_EFER_LME | X86_EFER_LMA | X86_EFER_SCE);
	/* LME cannot change under paging, either way */
	guest_wrmsr(MSR_IA32_EFER, X86_EFER_SCE, true);
	assert_int_equal(v.efer, X86_EFER_LME | X86_EFER_LMA | X86_EFER_SCE);
	v.efer = 0;
	guest_wrmsr(MSR_IA32_EFER, X86_EFER_LME, true);
	assert_int_equal(v.efer, 0);
	assert_int_equal(guest_rdmsr(MSR_IA32_EFER, false), 0);
}

static void test_pat(void **state)
{
	const u64 good = 0x0007040600070406ULL;

	(void)state;
	guest_wrmsr(MSR_IA32_PAT, good, false);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_PAT), good);
	assert_int_equal(guest_rdmsr(MSR_IA32_PAT, false), good);
	/* types 2, 3 and above 7 are reserved, in any entry */
	guest_wrmsr(MSR_IA32_PAT, good | 2ULL << 56, true);
	guest_wrmsr(MSR_IA32_PAT, (good & ~0xFFULL) | 3, true);
	guest_wrmsr(MSR_IA32_PAT, good | 0x80ULL << 24, true);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_PAT), good);
}

static void test_speculation(void **state)
{
	(void)state;
	/* a CPU without them: #GP, as its CPUID says */
	guest_rdmsr(MSR_IA32_SPEC_CTRL, true);
	guest_wrmsr(MSR_IA32_SPEC_CTRL, 0, true);
	guest_wrmsr(MSR_IA32_PRED_CMD, 1, true);
	guest_wrmsr(MSR_IA32_FLUSH_CMD, 1, true);
	assert_int_equal(hw.ibpbs + hw.l1d_flushes + hw.spec_writes, 0);
	/* a CPU with IBRS/IBPB, STIBP, SSBD and L1D_FLUSH */
	spec_host.cpuid7_edx = CPUID7_EDX_IBRS_IBPB | CPUID7_EDX_STIBP | CPUID7_EDX_SSBD |
			       CPUID7_EDX_L1D_FLUSH;
	guest_wrmsr(MSR_IA32_SPEC_CTRL, SPEC_CTRL_IBRS | SPEC_CTRL_SSBD, false);
	assert_int_equal(v.spec_ctrl, SPEC_CTRL_IBRS | SPEC_CTRL_SSBD);
	assert_int_equal(hw.spec_ctrl, SPEC_CTRL_IBRS | SPEC_CTRL_SSBD);
	assert_int_equal(guest_rdmsr(MSR_IA32_SPEC_CTRL, false), SPEC_CTRL_IBRS | SPEC_CTRL_SSBD);
	guest_wrmsr(MSR_IA32_SPEC_CTRL, BIT(7), true);	/* a bit not handled */
	assert_int_equal(v.spec_ctrl, SPEC_CTRL_IBRS | SPEC_CTRL_SSBD);
	guest_wrmsr(MSR_IA32_PRED_CMD, 1, false);
	assert_int_equal(hw.ibpbs, 1);
	guest_wrmsr(MSR_IA32_PRED_CMD, 2, true);
	guest_wrmsr(MSR_IA32_FLUSH_CMD, 1, false);
	assert_int_equal(hw.l1d_flushes, 1);
	guest_wrmsr(MSR_IA32_FLUSH_CMD, 0, false);		/* a command of nothing */
	assert_int_equal(hw.l1d_flushes, 1);
	/* ARCH_CAPABILITIES exists only where CPUID says so */
	guest_rdmsr(MSR_IA32_ARCH_CAPABILITIES, true);
}

static void test_xss_and_apic(void **state)
{
	(void)state;
	fake_vmcs_set(VMCS_PROC_CTLS2, PROC2_XSAVES);
	assert_int_equal(guest_rdmsr(MSR_IA32_XSS, false), 0);
	guest_wrmsr(MSR_IA32_XSS, 0, false);
	guest_wrmsr(MSR_IA32_XSS, BIT(8), true);		/* PT state: not virtualized */
	/* x2APIC registers: the vLAPIC's; APIC_BASE and the LVT timer retune the vCPU */
	assert_int_equal(guest_rdmsr(MSR_IA32_APIC_BASE, false), 0xFEE00900);
	guest_wrmsr(MSR_X2APIC_FIRST + 0x8, 0x20, false);	/* TPR */
	assert_int_equal(hw.apic_val, 0x20);
	assert_int_equal(hw.lapic_updates, 0);
	guest_wrmsr(MSR_X2APIC_ICR, 0x300000000ULL | 0x40F1, false);	/* fixed IPI to APIC id 3 */
	assert_int_equal(hw.apic_msr, MSR_X2APIC_ICR);
	assert_int_equal(hw.apic_val, 0x300000000ULL | 0x40F1);
	assert_int_equal(hw.lapic_updates, 0);
	guest_wrmsr(MSR_IA32_APIC_BASE, 0xFEE00D00, false);
	assert_int_equal(hw.lapic_updates, 1);
	guest_wrmsr(MSR_X2APIC_FIRST + (APIC_LVT_TIMER >> 4), 0x40030, false);
	assert_int_equal(hw.lapic_updates, 2);
	guest_wrmsr(MSR_IA32_APIC_BASE, ~0ULL, true);		/* the vLAPIC refused it */
	assert_int_equal(hw.lapic_updates, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_unknown, setup),
		cmocka_unit_test_setup(test_efer, setup),
		cmocka_unit_test_setup(test_pat, setup),
		cmocka_unit_test_setup(test_speculation, setup),
		cmocka_unit_test_setup(test_xss_and_apic, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
