/*
 * CPUID exits (vmm/vmexit_cpuid.c) on a fake VMCS and a fake host CPUID:
 * leaf 0 as the host has it; the host's other leaves with what the guest
 * must not see taken out (VMX, MONITOR, PMU, SGX, PT, CET, unvirtualized
 * XSAVE components, speculation controls) and what the vCPU is put in
 * (its APIC id, the vCPU count, OSXSAVE from its CR4, x2APIC and TSC
 * deadline); ACRN's leaves and bulkhead's own, the free memory for the
 * Service VM only. Every exit skips the instruction; the plain ones resume
 * at once when the last entry was plain.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "mm.h"
#include "vm.h"
#include "vmm_internal.h"
#include "x86.h"
#include "fake_vmcs.h"
#include "fake_cpuid.h"

#define RIP		0x3000
#define INSN_LEN	2
#define FREE_BYTES	0x123456789000ULL
#define JUNK		0xDEAD000000000000ULL	/* upper halves CPUID zeroes */

u64 tsc_khz = 2400000;
static struct vm_config cfg;
static struct vm vm;
static struct vcpu v;
static unsigned resumes;
static jmp_buf resumed;

u64 mm_free_bytes(void) { return FREE_BYTES; }

/* vcpu_resume_if_plain's way back into the guest: here, back into the test */
static void fake_resume(struct vcpu *vc)
{
	assert_ptr_equal(vc, &v);
	resumes++;
	longjmp(resumed, 1);
}
vcpu_resume_fn *vcpu_resume = fake_resume;

static int setup(void **state)
{
	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	memset(&vm, 0, sizeof(vm));
	memset(&v, 0, sizeof(v));
	resumes = 0;
	vm.cfg = &cfg;
	vm.name = "test";
	vm.nr_vcpus = 4;
	vm.state = VM_RUNNING;
	v.vm = &vm;
	v.id = 2;
	fake_vmcs_reset();
	fake_vmcs_set(VMCS_GUEST_RIP, RIP);
	fake_vmcs_set(VMCS_EXIT_INSN_LEN, INSN_LEN);
	fake_cpuid_reset();
	return 0;
}

/* The guest's CPUID(leaf, sub): its four registers, and the instruction skipped. */
static void guest_cpuid(u32 leaf, u32 sub, u32 r[4])
{
	v.gpr[GPR_RAX] = JUNK | leaf;
	v.gpr[GPR_RCX] = JUNK | sub;
	v.gpr[GPR_RBX] = v.gpr[GPR_RDX] = JUNK;
	if (!setjmp(resumed))
		assert_int_equal(vmx_exit_cpuid(&v), 0);
	r[0] = (u32)v.gpr[GPR_RAX], r[1] = (u32)v.gpr[GPR_RBX];
	r[2] = (u32)v.gpr[GPR_RCX], r[3] = (u32)v.gpr[GPR_RDX];
	/* 32-bit results: the upper halves are zero, as the CPU leaves them */
	assert_int_equal(v.gpr[GPR_RAX] >> 32, 0);
	assert_int_equal(v.gpr[GPR_RBX] >> 32, 0);
	assert_int_equal(v.gpr[GPR_RCX] >> 32, 0);
	assert_int_equal(v.gpr[GPR_RDX] >> 32, 0);
	assert_false(v.pending_exc);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), RIP + INSN_LEN);
	fake_vmcs_set(VMCS_GUEST_RIP, RIP);
}

static void assert_regs(const u32 r[4], u32 a, u32 b, u32 c, u32 d)
{
	assert_int_equal(r[0], a);
	assert_int_equal(r[1], b);
	assert_int_equal(r[2], c);
	assert_int_equal(r[3], d);
}

static void test_leaf0_as_host(void **state)
{
	u32 r[4];

	(void)state;
	fake_cpuid_set(0, 0, 0x20, 0x756e6547, 0x6c65746e, 0x49656e69);	/* GenuineIntel */
	guest_cpuid(0, 0, r);
	assert_regs(r, 0x20, 0x756e6547, 0x6c65746e, 0x49656e69);
	/* only EAX's low half picks the leaf */
	v.gpr[GPR_RAX] = 0xFFFFFFFF00000000ULL;
	v.gpr[GPR_RCX] = 0;
	assert_int_equal(vmx_exit_cpuid(&v), 0);
	assert_int_equal(v.gpr[GPR_RAX], 0x20);
	fake_vmcs_set(VMCS_GUEST_RIP, RIP);
	/* an unfiltered leaf passes as it is, with its sub-leaf */
	fake_cpuid_set(0x80000008, 3, 0x3027, 1, 2, 3);
	guest_cpuid(0x80000008, 3, r);
	assert_regs(r, 0x3027, 1, 2, 3);
	guest_cpuid(0x80000008, 0, r);		/* another sub-leaf: the host's (0 here) */
	assert_regs(r, 0, 0, 0, 0);
}

static void test_leaf1(void **state)
{
	u32 r[4];

	(void)state;
	/* a host with VMX, SMX, MONITOR, OSXSAVE, MTRR, ACPI, TM; CLFLUSH size 8 in EBX */
	fake_cpuid_set(1, 0, 0x906EA, 0xFF010800, BIT(3) | BIT(5) | BIT(6) | BIT(27) | BIT(0),
		       BIT(12) | BIT(22) | BIT(29) | BIT(0));
	guest_cpuid(1, 0, r);
	assert_int_equal(r[0], 0x906EA);
	/* EBX: the host's low half, this vCPU's APIC id and the VM's count of them */
	assert_int_equal(r[1], 0x02040800);
	/* ECX: no VMX, SMX, MONITOR, nor OSXSAVE (the guest's CR4 has none); hypervisor,
	 * x2APIC, TSC deadline */
	assert_int_equal(r[2], BIT(0) | BIT(31) | BIT(21) | BIT(24));
	assert_int_equal(r[3], BIT(0));
	/* OSXSAVE follows the guest's CR4, whatever the host's */
	fake_vmcs_set(VMCS_GUEST_CR4, X86_CR4_OSXSAVE);
	fake_cpuid_set(1, 0, 0, 0, 0, 0);
	guest_cpuid(1, 0, r);
	assert_int_equal(r[2], BIT(27) | BIT(31) | BIT(21) | BIT(24));
}

static void test_hidden_leaves(void **state)
{
	u32 r[4];

	(void)state;
	for (u32 leaf = 0; leaf < 0x20; leaf++)
		fake_cpuid_set(leaf, 0, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF);
	guest_cpuid(5, 0, r);		/* MONITOR/MWAIT */
	assert_regs(r, 0, 0, 0, 0);
	guest_cpuid(0xA, 0, r);		/* PMU */
	assert_regs(r, 0, 0, 0, 0);
	guest_cpuid(6, 0, r);		/* thermal and power: ARAT only */
	assert_regs(r, BIT(2), 0, 0, 0);
	guest_cpuid(0x14, 0, r);	/* Intel PT */
	assert_regs(r, 0, 0, 0, 0);
	guest_cpuid(0x1C, 0, r);	/* arch LBR */
	assert_regs(r, 0, 0, 0, 0);
	/* topology: the host's, but EDX is this vCPU's x2APIC id */
	guest_cpuid(0xB, 0, r);
	assert_regs(r, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, v.id);
	guest_cpuid(0x1F, 0, r);
	assert_int_equal(r[3], v.id);
}

static void test_leaf7(void **state)
{
	u32 all = 0xFFFFFFFF, r[4];

	(void)state;
	fake_cpuid_set(7, 0, 2, all, all, all);
	guest_cpuid(7, 0, r);
	assert_int_equal(r[0], 2);
	/* SGX, PT; INVPCID without the control that lets the guest run it */
	assert_int_equal(r[1], all & ~(BIT(2) | BIT(25) | BIT(10)));
	/* WAITPKG, SGX launch control, CET shadow stacks */
	assert_int_equal(r[2], all & ~(BIT(5) | BIT(30) | BIT(7)));
	/* arch LBR, CET IBT; the speculation MSRs the guest does not get */
	assert_int_equal(r[3], all & ~(BIT(19) | BIT(20) | CPUID7_EDX_SRBDS_CTRL |
				       CPUID7_EDX_TSX_FORCE_ABORT | CPUID7_EDX_CORE_CAP));
	fake_vmcs_set(VMCS_PROC_CTLS2, PROC2_INVPCID);
	guest_cpuid(7, 0, r);
	assert_true(r[1] & BIT(10));
	/* sub-leaf 2: only EDX's SPEC_CTRL bits go */
	fake_cpuid_set(7, 2, all, all, all, all);
	guest_cpuid(7, 2, r);
	assert_regs(r, all, all, all, all & ~CPUID7_2_EDX_CTRLS);
	/* sub-leaf 1: as the host has it */
	fake_cpuid_set(7, 1, 1, 2, 3, 4);
	guest_cpuid(7, 1, r);
	assert_regs(r, 1, 2, 3, 4);
}

static void test_leaf_xstate(void **state)
{
	u32 r[4];

	(void)state;
	/* the host's XCR0 components: x87, SSE, AVX */
	fake_cpuid_set(0xD, 0, 0x7, 0x340, 0x340, 0);
	fake_cpuid_set(0xD, 1, 0xF, 0x340, 0x100, 0x1);
	fake_cpuid_set(0xD, 2, 0x100, 0x240, 0, 0);
	fake_cpuid_set(0xD, 3, 0x40, 0x3C0, 0, 0);	/* MPX: not in the host's XCR0 */
	guest_cpuid(0xD, 0, r);
	assert_regs(r, 0x7, 0x340, 0x340, 0);
	/* sub-leaf 1: no XSAVES without the control, no IA32_XSS components */
	guest_cpuid(0xD, 1, r);
	assert_regs(r, 0x7, 0x340, 0, 0);
	fake_vmcs_set(VMCS_PROC_CTLS2, PROC2_XSAVES);
	guest_cpuid(0xD, 1, r);
	assert_regs(r, 0xF, 0x340, 0, 0);
	guest_cpuid(0xD, 2, r);		/* AVX: enabled on the host */
	assert_regs(r, 0x100, 0x240, 0, 0);
	guest_cpuid(0xD, 3, r);
	assert_regs(r, 0, 0, 0, 0);
}

static void test_acrn_leaves(void **state)
{
	u32 r[4];

	(void)state;
	guest_cpuid(0x40000000, 0, r);
	assert_regs(r, 0x40000010, 0x4e524341, 0x4e524341, 0x4e524341);	/* "ACRN" x3 */
	assert_memory_equal(&r[1], "ACRN", 4);
	guest_cpuid(0x40000001, 0, r);		/* not the Service VM */
	assert_regs(r, 0, 0, 0, 0);
	cfg.flags = VM_FLAG_PRIVILEGED;
	guest_cpuid(0x40000001, 0, r);
	assert_regs(r, 1, 0, 0, 0);
	guest_cpuid(0x40000010, 0, r);		/* the TSC's kHz */
	assert_regs(r, 2400000, 0, 0, 0);
	guest_cpuid(0x40000002, 0, r);		/* nothing else in the range */
	assert_regs(r, 0, 0, 0, 0);
	assert_int_equal(fake_cpuid_calls(), 0);	/* none of them asks the host */
}

static void test_bulkhead_leaves(void **state)
{
	u32 r[4];

	(void)state;
	v.exit_count[EXIT_CPUID] = 0xFFFFFFFF;
	v.exit_count[EXIT_IO] = 3;
	guest_cpuid(0x40000100, 0, r);		/* every exit, modulo 2^32 */
	assert_regs(r, 2, 0, 0, 0);
	guest_cpuid(0x40000101, 0, r);		/* free memory: not for this VM */
	assert_regs(r, 0, 0, 0, 0);
	cfg.flags = VM_FLAG_PRIVILEGED;
	guest_cpuid(0x40000101, 0, r);		/* EDX:EAX */
	assert_regs(r, (u32)FREE_BYTES, 0, 0, FREE_BYTES >> 32);
	guest_cpuid(0x40000102, 0, r);
	assert_regs(r, 0, 0, 0, 0);
}

/* After a plain entry a CPUID exit goes straight back; bulkhead's own leaves do not. */
static void test_plain_resume(void **state)
{
	u32 r[4];

	(void)state;
	v.entry_plain = true;
	guest_cpuid(0, 0, r);
	assert_int_equal(resumes, 1);
	guest_cpuid(1, 0, r);
	assert_int_equal(resumes, 2);
	guest_cpuid(0x40000000, 0, r);
	assert_int_equal(resumes, 3);
	guest_cpuid(0x40000100, 0, r);
	assert_int_equal(resumes, 3);
	/* a VM no longer running: the full entry looks at it */
	vm.state = VM_PAUSED;
	guest_cpuid(0, 0, r);
	assert_int_equal(resumes, 3);
	vm.state = VM_RUNNING;
	v.flushed_gen = vm.flush_gen + 1;	/* an EPT flush to do */
	guest_cpuid(1, 0, r);
	assert_int_equal(resumes, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_leaf0_as_host, setup),
		cmocka_unit_test_setup(test_leaf1, setup),
		cmocka_unit_test_setup(test_hidden_leaves, setup),
		cmocka_unit_test_setup(test_leaf7, setup),
		cmocka_unit_test_setup(test_leaf_xstate, setup),
		cmocka_unit_test_setup(test_acrn_leaves, setup),
		cmocka_unit_test_setup(test_bulkhead_leaves, setup),
		cmocka_unit_test_setup(test_plain_resume, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
