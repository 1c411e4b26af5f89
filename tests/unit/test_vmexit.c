/*
 * VM-exit dispatch (vmm/vmexit.c) on a fake VMCS: each handled reason goes
 * to its handler and is counted; VMX instructions raise #UD, XSAVES and
 * XRSTORS #GP, VMCALL #UD until the hypercall layer plugs in; HLT skips the
 * instruction and halts the vCPU; external interrupts are dispatched (a
 * kick samples RIP), a host NMI leaves neither side NMI-blocked; a triple
 * fault, an unhandled reason and a failed entry stop the VM with a reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "irq.h"
#include "lapic.h"
#include "percpu.h"
#include "vmm_internal.h"
#include "x86.h"
#include "fake_vmcs.h"

#define RIP 0x4000

static struct {
	char called[16];		/* the last handler called */
	int dispatched;			/* the host vector irq_dispatch got (-1: none) */
	unsigned nmi_unblocks, stops;
	char reason[200];
} fk;
static struct pcpu cpu;
static struct vm vm;
static struct vcpu v;

struct pcpu *this_cpu(void) { return &cpu; }
void nmi_unblock(void) { fk.nmi_unblocks++; }
void irq_dispatch(u8 vector) { fk.dispatched = vector; }
const char *vmx_exit_name(unsigned reason) { return reason == EXIT_RDPMC ? "RDPMC" : "something"; }

void vm_stop(struct vm *m, const char *fmt, ...)
{
	va_list ap;

	assert_ptr_equal(m, &vm);
	va_start(ap, fmt);
	vsnprintf(fk.reason, sizeof(fk.reason), fmt, ap);
	va_end(ap);
	fk.stops++;
}

#define HANDLER(fn) int fn(struct vcpu *vc) { assert_ptr_equal(vc, &v); strcpy(fk.called, #fn); return 0; }
HANDLER(vmx_exit_cpuid)
HANDLER(vmx_exit_cr_access)
HANDLER(vmx_exit_io)
HANDLER(vmx_exit_rdmsr)
HANDLER(vmx_exit_wrmsr)
HANDLER(vmx_exit_ept_violation)
HANDLER(vmx_exit_xsetbv)
HANDLER(vmx_exit_wbinvd)
HANDLER(vmx_exit_virt_eoi)
static HANDLER(hypercall)

static int setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	fk.dispatched = -1;
	memset(&vm, 0, sizeof(vm));
	memset(&v, 0, sizeof(v));
	memset(&cpu, 0, sizeof(cpu));
	v.vm = &vm;
	v.id = 1;
	vmexit_set_vmcall(NULL);
	fake_vmcs_reset();
	fake_vmcs_set(VMCS_GUEST_RIP, RIP);
	fake_vmcs_set(VMCS_EXIT_INSN_LEN, 1);
	return 0;
}

static void exit_with(u64 raw)
{
	fake_vmcs_set(VMCS_EXIT_REASON, raw);
	vmx_exit_handler(&v);
}

static void test_handlers(void **state)
{
	static const struct { unsigned reason; const char *fn; } table[] = {
		{ EXIT_CPUID, "vmx_exit_cpuid" }, { EXIT_CR_ACCESS, "vmx_exit_cr_access" },
		{ EXIT_IO, "vmx_exit_io" }, { EXIT_RDMSR, "vmx_exit_rdmsr" },
		{ EXIT_WRMSR, "vmx_exit_wrmsr" }, { EXIT_EPT_VIOLATION, "vmx_exit_ept_violation" },
		{ EXIT_XSETBV, "vmx_exit_xsetbv" }, { EXIT_WBINVD, "vmx_exit_wbinvd" },
		{ EXIT_VIRT_EOI, "vmx_exit_virt_eoi" },
	};

	(void)state;
	fake_vmcs_set(VMCS_IDT_VECTORING_INFO, INTR_INFO_VALID | 14);
	for (unsigned i = 0; i < ARRAY_SIZE(table); i++) {
		fk.called[0] = 0;
		exit_with(table[i].reason);
		assert_string_equal(fk.called, table[i].fn);
		assert_int_equal(v.exit_reason, table[i].reason);
		assert_int_equal(v.exit_count[table[i].reason], 1);
	}
	assert_int_equal(v.idt_vectoring, INTR_INFO_VALID | 14);
	/* exits that need nothing done */
	exit_with(EXIT_INTR_WINDOW);
	exit_with(EXIT_PREEMPT_TIMER);
	exit_with(EXIT_INIT);
	assert_int_equal(v.exit_count[EXIT_INIT], 1);
	assert_false(v.pending_exc);
	assert_int_equal(fk.stops, 0);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), RIP);
}

static void test_faults(void **state)
{
	static const unsigned vmx[] = { EXIT_VMCLEAR, EXIT_VMLAUNCH, EXIT_VMPTRLD, EXIT_VMPTRST,
		EXIT_VMREAD, EXIT_VMRESUME, EXIT_VMWRITE, EXIT_VMXOFF, EXIT_VMXON, EXIT_INVEPT,
		EXIT_INVVPID, EXIT_VMFUNC };

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(vmx); i++) {
		v.pending_exc = false;
		exit_with(vmx[i]);
		assert_true(v.pending_exc);
		assert_int_equal(v.exc_vector, 6);		/* #UD: as on a CPU without VMX */
	}
	v.pending_exc = false;
	exit_with(EXIT_XSAVES);
	assert_int_equal(v.exc_vector, 13);
	v.pending_exc = false;
	exit_with(EXIT_XRSTORS);
	assert_true(v.pending_exc);
	assert_int_equal(v.exc_vector, 13);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), RIP);	/* faulting: not skipped */
	assert_int_equal(fk.stops, 0);
}

static void test_vmcall(void **state)
{
	(void)state;
	exit_with(EXIT_VMCALL);
	assert_true(v.pending_exc);
	assert_int_equal(v.exc_vector, 6);
	v.pending_exc = false;
	vmexit_set_vmcall(hypercall);
	exit_with(EXIT_VMCALL);
	assert_string_equal(fk.called, "hypercall");
	assert_false(v.pending_exc);
}

static void test_hlt(void **state)
{
	(void)state;
	fake_vmcs_set(VMCS_GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_STI);	/* STI; HLT */
	exit_with(EXIT_HLT);
	assert_int_equal(v.state, VCPU_HALTED);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), RIP + 1);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_INTERRUPTIBILITY), 0);
}

static void test_interrupts(void **state)
{
	(void)state;
	/* no valid vector: nothing to dispatch */
	fake_vmcs_set(VMCS_EXIT_INTR_INFO, 0x31);
	exit_with(EXIT_EXT_INTR);
	assert_int_equal(fk.dispatched, -1);
	fake_vmcs_set(VMCS_EXIT_INTR_INFO, INTR_INFO_VALID | TIMER_VECTOR);
	exit_with(EXIT_EXT_INTR);
	assert_int_equal(fk.dispatched, TIMER_VECTOR);
	assert_int_equal(v.sampled_rip, 0);
	/* a kick says where the guest was */
	fake_vmcs_set(VMCS_EXIT_INTR_INFO, INTR_INFO_VALID | KICK_VECTOR);
	exit_with(EXIT_EXT_INTR);
	assert_int_equal(fk.dispatched, KICK_VECTOR);
	assert_int_equal(v.sampled_rip, RIP);
	/* a host NMI: nobody stays blocked */
	v.sampled_rip = 0;
	cpu.nmi_dump = true;
	fake_vmcs_set(VMCS_GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_NMI | INTERRUPTIBILITY_MOVSS);
	exit_with(EXIT_EXCEPTION_NMI);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_INTERRUPTIBILITY), INTERRUPTIBILITY_MOVSS);
	assert_int_equal(fk.nmi_unblocks, 1);
	assert_false(cpu.nmi_dump);
	assert_int_equal(v.sampled_rip, RIP);
	assert_false(v.pending_exc);
}

static void test_stops(void **state)
{
	(void)state;
	exit_with(EXIT_TRIPLE_FAULT);
	assert_int_equal(fk.stops, 1);
	assert_string_equal(fk.reason, "triple fault on vCPU 1");
	/* a reason without a handler */
	fake_vmcs_set(VMCS_EXIT_QUAL, 0x77);
	exit_with(EXIT_RDPMC);
	assert_int_equal(fk.stops, 2);
	assert_string_equal(fk.reason, "unhandled VM exit on vCPU 1: RDPMC (reason 15, qualification 0x77)");
	assert_int_equal(v.exit_count[EXIT_RDPMC], 1);
	assert_int_equal(v.exit_qual, 0x77);
	/* a failed entry (bit 31): counted under its basic reason */
	exit_with(BIT(31) | EXIT_INVALID_GUEST);
	assert_int_equal(fk.stops, 3);
	assert_non_null(strstr(fk.reason, "VM entry failed on vCPU 1"));
	assert_int_equal(v.exit_reason, EXIT_INVALID_GUEST);
	assert_int_equal(v.exit_count[EXIT_INVALID_GUEST], 1);
	/* flag bits we never enable, and a reason past the table: stopped, nothing counted out of bounds */
	exit_with(BIT(27) | EXIT_CPUID);
	assert_int_equal(fk.stops, 4);
	assert_string_equal(fk.called, "");
	assert_int_equal(v.exit_count[EXIT_CPUID], 1);
	exit_with(0xFFFF);
	assert_int_equal(fk.stops, 5);
	assert_non_null(strstr(fk.reason, "unhandled VM exit"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_handlers, setup),
		cmocka_unit_test_setup(test_faults, setup),
		cmocka_unit_test_setup(test_vmcall, setup),
		cmocka_unit_test_setup(test_hlt, setup),
		cmocka_unit_test_setup(test_interrupts, setup),
		cmocka_unit_test_setup(test_stops, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
