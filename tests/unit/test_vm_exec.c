/*
 * A VM's execution control (arch/x86/vm_exec.c): a kick sends its IPI only
 * where the vCPU would not look by itself (not in its exit handler or
 * entry path, not on the caller's own pCPU) and always counts itself for
 * a look-before-sleep; vm_stop keeps its first reason, prints the VM's
 * exit counters once and flushes the VM's EPT translations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "console.h"
#include "lapic.h"
#include "percpu.h"
#include "vm.h"
#include "irq.h"

static struct pcpu here, there;
static struct {
	unsigned ipis, flushes, writes;
	u32 ipi_apic;
	char out[2048];
} fk;

struct pcpu *this_cpu(void) { return &here; }
void lapic_send_ipi(u32 apic_id, u8 vector)
{
	assert_int_equal(vector, KICK_VECTOR);
	fk.ipis++;
	fk.ipi_apic = apic_id;
}
void console_write(const char *s, size_t n)
{
	fk.writes++;
	snprintf(fk.out, sizeof(fk.out), "%.*s", (int)n, s);
}
const char *vmx_exit_name(unsigned reason) { return reason == 10 ? "CPUID" : "other"; }
int vm_flush_wait(struct vm *vm, u64 gen, struct vcpu *self, unsigned *late)
{
	(void)self; (void)late;
	assert_int_equal(gen, vm->flush_gen);
	fk.flushes++;
	return 0;
}

static struct vm vm;
static struct vcpu v;

static int setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	memset(&vm, 0, sizeof(vm));
	memset(&v, 0, sizeof(v));
	there.apic_id = 6;
	v.pcpu = &there;
	v.vm = &vm;
	vm.name = "vm";
	vm.state = VM_RUNNING;
	vm.nr_vcpus = 1;
	vm.vcpus[0] = &v;
	return 0;
}

static void test_kick(void **state)
{
	(void)state;
	/* in the guest, or asleep: the IPI to its pCPU */
	vcpu_kick(&v);
	assert_int_equal(fk.ipis, 1);
	assert_int_equal(fk.ipi_apic, 6);
	assert_int_equal(v.kicks, 1);
	/* in its exit handler or entry path: counted, no IPI */
	v.in_handler = 1;
	vcpu_kick(&v);
	assert_int_equal(fk.ipis, 1);
	assert_int_equal(v.kicks, 2);
	/* the handler done (vcpu_handler_done): IPIs again */
	vcpu_handler_done(&v);
	assert_int_equal(v.in_handler, 0);
	vcpu_kick(&v);
	assert_int_equal(fk.ipis, 2);
	/* its own pCPU: the caller is its context, neither counted nor sent */
	v.pcpu = &here;
	vcpu_kick(&v);
	assert_int_equal(fk.ipis, 2);
	assert_int_equal(v.kicks, 3);
	/* off any pCPU: nothing to send to */
	v.pcpu = NULL;
	vcpu_kick(&v);
	assert_int_equal(fk.ipis, 2);
}

static void test_stop(void **state)
{
	(void)state;
	v.exit_count[10] = 3;
	vm_stop(&vm, "reason %d", 1);
	assert_int_equal(vm.state, VM_STOPPED);
	assert_string_equal(vm.stop_reason, "reason 1");
	assert_int_equal(fk.flushes, 1);
	assert_int_equal(fk.writes, 1);
	assert_non_null(strstr(fk.out, "VM vm exits: 3 total"));
	assert_non_null(strstr(fk.out, "CPUID"));
	/* stopped already: the first reason stays, nothing printed or flushed again */
	vm_stop(&vm, "reason %d", 2);
	assert_string_equal(vm.stop_reason, "reason 1");
	assert_int_equal(fk.flushes, 1);
	assert_int_equal(fk.writes, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_kick, setup),
		cmocka_unit_test_setup(test_stop, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
