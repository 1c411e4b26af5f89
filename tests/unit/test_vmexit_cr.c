/*
 * Control-register and XSETBV exits (vmm/vmexit_cr.c) on a fake VMCS: what
 * a guest may write to CR0, CR4, CR8 and XCR0 and what it gets (#GP, the
 * state unchanged, the instruction not skipped) for what the SDM refuses;
 * LMSW never clears PE; PAE paging loads the PDPTEs, and a CR3 outside
 * guest RAM refuses the write without changing CR0 or CR4.
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
#include "fake_cpuid.h"

#define RIP		0x1000
#define INSN_LEN	3
#define PDPT_GPA	0x9000
#define QUAL_MOV_TO(cr, reg)	((u64)(cr) | (u64)(reg) << 8)
#define QUAL_MOV_FROM(cr, reg)	((u64)(cr) | 1u << 4 | (u64)(reg) << 8)
#define QUAL_LMSW(src)		(0 | 3u << 4 | (u64)(src) << 16)
#define QUAL_CLTS		(2u << 4)

struct vmx_caps vmx_caps;
static struct vm vm;
static struct vcpu v;
static u64 pdpt[4] = { 0x11001, 0x12001, 0x13001, 0x14001 };
static struct { unsigned ia32e, stops, xsetbvs; u64 cr8, xcr0; } hw;

/* vmm/vmcs.c's views of the guest's CR0/CR4: here, VMX's forced bits as marks */
u64 vmcs_guest_cr0(u64 want) { return want | X86_CR0_NE; }
u64 vmcs_guest_cr4(u64 want) { return want | X86_CR4_VMXE; }
void vmcs_update_ia32e(struct vcpu *vc) { (void)vc; hw.ia32e++; }
void vlapic_set_cr8(struct vlapic *l, u64 cr8) { (void)l; hw.cr8 = cr8; }
u64 vlapic_get_cr8(const struct vlapic *l) { (void)l; return hw.cr8; }
void xsetbv(u32 idx, u64 val) { assert_int_equal(idx, 0); hw.xsetbvs++; hw.xcr0 = val; }

void *vm_gpa_to_hva(const struct vm *m, u64 gpa, u64 len)
{
	assert_ptr_equal(m, &vm);
	return gpa == PDPT_GPA && len == sizeof(pdpt) ? pdpt : NULL;
}

void vm_stop(struct vm *m, const char *fmt, ...)
{
	(void)fmt;
	assert_ptr_equal(m, &vm);
	hw.stops++;
}

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(&v, 0, sizeof(v));
	memset(&hw, 0, sizeof(hw));
	v.vm = &vm;
	fake_vmcs_reset();
	fake_vmcs_set(VMCS_GUEST_RIP, RIP);
	fake_vmcs_set(VMCS_EXIT_INSN_LEN, INSN_LEN);
	fake_vmcs_set(VMCS_GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_STI);
	vmx_caps.cr4_fixed1 = 0x3727FF;	/* a CPU's: PAE, VMXE, OSXSAVE, SMEP, SMAP ... */
	/* a 32-bit protected-mode guest, paging off */
	v.cr0_shadow = X86_CR0_PE | X86_CR0_ET;
	/* the host's XCR0 components (CPUID.(0xD,0) EDX:EAX): x87, SSE */
	fake_cpuid_reset();
	fake_cpuid_set(0xD, 0, 0x3, 0, 0, 0);
	return 0;
}

static int mov_to_cr(unsigned cr, unsigned reg, u64 val)
{
	v.gpr[reg] = val;
	fake_vmcs_set(VMCS_EXIT_QUAL, QUAL_MOV_TO(cr, reg));
	return vmx_exit_cr_access(&v);
}

static void assert_gp_unchanged(u64 cr0, u64 cr4)
{
	assert_true(v.pending_exc);
	assert_int_equal(v.exc_vector, 13);
	assert_int_equal(v.cr0_shadow, cr0);
	assert_int_equal(v.cr4_shadow, cr4);
	assert_false(fake_vmcs_written(VMCS_CR0_SHADOW));
	assert_false(fake_vmcs_written(VMCS_GUEST_CR0));
	assert_false(fake_vmcs_written(VMCS_CR4_SHADOW));
	assert_false(fake_vmcs_written(VMCS_GUEST_CR4));
	/* a fault: the instruction did not complete */
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), RIP);
	v.pending_exc = false;
}

static void assert_done(void)
{
	assert_false(v.pending_exc);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), RIP + INSN_LEN);
	/* the instruction completed: STI blocking ends with it */
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_INTERRUPTIBILITY), 0);
	fake_vmcs_set(VMCS_GUEST_RIP, RIP);
}

static void test_cr0_refused(void **state)
{
	u64 cr0 = v.cr0_shadow;

	(void)state;
	/* reserved bits: low (6) and high (32) */
	assert_int_equal(mov_to_cr(0, GPR_RAX, cr0 | BIT(6)), 0);
	assert_gp_unchanged(cr0, 0);
	assert_int_equal(mov_to_cr(0, GPR_RAX, cr0 | BIT(32)), 0);
	assert_gp_unchanged(cr0, 0);
	/* PG without PE, NW without CD */
	assert_int_equal(mov_to_cr(0, GPR_RAX, X86_CR0_PG | X86_CR0_ET), 0);
	assert_gp_unchanged(cr0, 0);
	assert_int_equal(mov_to_cr(0, GPR_RAX, cr0 | X86_CR0_NW), 0);
	assert_gp_unchanged(cr0, 0);
	/* paging on with EFER.LME set and CR4.PAE clear */
	v.efer = X86_EFER_LME;
	assert_int_equal(mov_to_cr(0, GPR_RAX, cr0 | X86_CR0_PG), 0);
	assert_gp_unchanged(cr0, 0);
	assert_int_equal(hw.ia32e, 0);
}

static void test_cr0_accepted(void **state)
{
	u64 want = X86_CR0_PE | X86_CR0_ET | X86_CR0_WP | X86_CR0_NW | X86_CR0_CD;

	(void)state;
	assert_int_equal(mov_to_cr(0, GPR_RBX, want), 0);
	assert_int_equal(v.cr0_shadow, want);
	assert_int_equal(fake_vmcs_get(VMCS_CR0_SHADOW), want);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_CR0), want | X86_CR0_NE);
	assert_int_equal(hw.ia32e, 1);
	assert_done();
	/* the source may be RSP, which lives in the VMCS */
	fake_vmcs_set(VMCS_GUEST_RSP, X86_CR0_PE | X86_CR0_ET);
	v.gpr[GPR_RSP] = 0xdead;
	fake_vmcs_set(VMCS_EXIT_QUAL, QUAL_MOV_TO(0, GPR_RSP));
	assert_int_equal(vmx_exit_cr_access(&v), 0);
	assert_int_equal(v.cr0_shadow, X86_CR0_PE | X86_CR0_ET);
	assert_done();
}

static void test_pae_pdptes(void **state)
{
	u64 cr0 = v.cr0_shadow, paging = cr0 | X86_CR0_PG;

	(void)state;
	v.cr4_shadow = X86_CR4_PAE;
	/* CR3 outside guest RAM: #GP, CR0 as it was (SDM: PDPTEs checked before the load) */
	fake_vmcs_set(VMCS_GUEST_CR3, 0x7FFFF000);
	assert_int_equal(mov_to_cr(0, GPR_RAX, paging), 0);
	assert_gp_unchanged(cr0, X86_CR4_PAE);
	assert_int_equal(hw.ia32e, 0);
	/* a good CR3 (low bits ignored): the four PDPTEs go to the VMCS */
	fake_vmcs_set(VMCS_GUEST_CR3, PDPT_GPA | 0x18);
	assert_int_equal(mov_to_cr(0, GPR_RAX, paging), 0);
	assert_int_equal(v.cr0_shadow, paging);
	for (int i = 0; i < 4; i++)
		assert_int_equal(fake_vmcs_get(VMCS_GUEST_PDPTE0 + 2 * i), pdpt[i]);
	assert_done();
}

static void test_cr4(void **state)
{
	(void)state;
	/* VMXE and SMXE are the hypervisor's; bits the CPU lacks are reserved */
	assert_int_equal(mov_to_cr(4, GPR_RCX, X86_CR4_VMXE), 0);
	assert_gp_unchanged(v.cr0_shadow, 0);
	assert_int_equal(mov_to_cr(4, GPR_RCX, BIT(14)), 0);
	assert_gp_unchanged(v.cr0_shadow, 0);
	assert_int_equal(mov_to_cr(4, GPR_RCX, BIT(31)), 0);
	assert_gp_unchanged(v.cr0_shadow, 0);
	assert_int_equal(mov_to_cr(4, GPR_RCX, X86_CR4_PAE), 0);
	assert_int_equal(v.cr4_shadow, X86_CR4_PAE);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_CR4), X86_CR4_PAE | X86_CR4_VMXE);
	assert_done();
	/* in long mode PAE stays set */
	v.efer = X86_EFER_LME | X86_EFER_LMA;
	fake_vmcs_reset();
	fake_vmcs_set(VMCS_GUEST_RIP, RIP);
	fake_vmcs_set(VMCS_EXIT_INSN_LEN, INSN_LEN);
	assert_int_equal(mov_to_cr(4, GPR_RCX, 0), 0);
	assert_gp_unchanged(v.cr0_shadow, X86_CR4_PAE);
	/* PAE paging on: a new CR4 with CR3 outside RAM changes nothing */
	v.efer = 0;
	v.cr0_shadow |= X86_CR0_PG;
	v.cr4_shadow = 0;
	fake_vmcs_set(VMCS_GUEST_CR3, 0x7FFFF000);
	assert_int_equal(mov_to_cr(4, GPR_RCX, X86_CR4_PAE), 0);
	assert_gp_unchanged(v.cr0_shadow, 0);
}

static void test_cr8_lmsw_clts(void **state)
{
	(void)state;
	assert_int_equal(mov_to_cr(8, GPR_RDX, 16), 0);
	assert_gp_unchanged(v.cr0_shadow, 0);
	assert_int_equal(mov_to_cr(8, GPR_RDX, 9), 0);
	assert_int_equal(hw.cr8, 9);
	assert_done();
	fake_vmcs_set(VMCS_EXIT_QUAL, QUAL_MOV_FROM(8, GPR_RSI));
	assert_int_equal(vmx_exit_cr_access(&v), 0);
	assert_int_equal(v.gpr[GPR_RSI], 9);
	assert_done();
	/* LMSW sets MP/EM/TS and may set PE but never clears it */
	fake_vmcs_set(VMCS_GUEST_CR0, X86_CR0_PE | X86_CR0_ET | X86_CR0_NE);
	fake_vmcs_set(VMCS_EXIT_QUAL, QUAL_LMSW(X86_CR0_MP | X86_CR0_TS));
	assert_int_equal(vmx_exit_cr_access(&v), 0);
	assert_int_equal(v.cr0_shadow, X86_CR0_PE | X86_CR0_ET | X86_CR0_MP | X86_CR0_TS);
	assert_done();
	/* CR3 never exits (no CR3-load exiting): a MOV to CR3 exit is refused */
	assert_int_equal(mov_to_cr(3, GPR_RAX, 0x1000), 0);
	assert_true(v.pending_exc);
	v.pending_exc = false;
	/* CLTS exits only if the CR0 mask makes TS ours, which it does not: stop the VM */
	fake_vmcs_set(VMCS_EXIT_QUAL, QUAL_CLTS);
	assert_int_equal(vmx_exit_cr_access(&v), -1);
	assert_int_equal(hw.stops, 1);
}

static void test_xsetbv(void **state)
{
	(void)state;
	/* x87 state can never be turned off */
	v.gpr[GPR_RCX] = 0;
	v.gpr[GPR_RAX] = 0x2;
	v.gpr[GPR_RDX] = 0;
	assert_int_equal(vmx_exit_xsetbv(&v), 0);
	assert_true(v.pending_exc);
	assert_int_equal(hw.xsetbvs, 0);
	v.pending_exc = false;
	/* an XCR other than 0 */
	v.gpr[GPR_RCX] = 1;
	v.gpr[GPR_RAX] = 0x3;
	assert_int_equal(vmx_exit_xsetbv(&v), 0);
	assert_true(v.pending_exc);
	v.pending_exc = false;
	/* from CPL 3 (SS's DPL) */
	v.gpr[GPR_RCX] = 0;
	fake_vmcs_set(VMCS_GUEST_ES_AR + 2 * SEG_SS, 3 << 5);
	assert_int_equal(vmx_exit_xsetbv(&v), 0);
	assert_true(v.pending_exc);
	assert_int_equal(hw.xsetbvs, 0);
	v.pending_exc = false;
	/* AVX at CPL 0 on a host without it: the hardware would #GP in root mode */
	fake_vmcs_set(VMCS_GUEST_ES_AR + 2 * SEG_SS, 0);
	v.gpr[GPR_RAX] = 0x7;
	assert_int_equal(vmx_exit_xsetbv(&v), 0);
	assert_true(v.pending_exc);
	assert_int_equal(hw.xsetbvs, 0);
	assert_int_equal(v.xcr0, 0);
	v.pending_exc = false;
	/* x87 | SSE at CPL 0: the host has them, so it reaches the hardware */
	v.gpr[GPR_RAX] = 0x3;
	v.gpr[GPR_RDX] = 0xFFFFFFFF00000000ULL;	/* only EDX's low half counts */
	assert_int_equal(vmx_exit_xsetbv(&v), 0);
	assert_false(v.pending_exc);
	assert_int_equal(hw.xsetbvs, 1);
	assert_int_equal(hw.xcr0, 0x3);
	assert_int_equal(v.xcr0, 0x3);
	assert_done();
	/* the same AVX value once the host has AVX */
	fake_cpuid_set(0xD, 0, 0x7, 0, 0, 0);
	v.gpr[GPR_RAX] = 0x7;
	assert_int_equal(vmx_exit_xsetbv(&v), 0);
	assert_false(v.pending_exc);
	assert_int_equal(hw.xsetbvs, 2);
	assert_int_equal(v.xcr0, 0x7);
	assert_done();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_cr0_refused, setup),
		cmocka_unit_test_setup(test_cr0_accepted, setup),
		cmocka_unit_test_setup(test_pae_pdptes, setup),
		cmocka_unit_test_setup(test_cr4, setup),
		cmocka_unit_test_setup(test_cr8_lmsw_clts, setup),
		cmocka_unit_test_setup(test_xsetbv, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
