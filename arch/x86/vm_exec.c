/*
 * Execution control of a VM's vCPUs: stop them, kick them out of the guest,
 * make them drop stale EPT translations. Primitives every layer above may
 * use: devices that power a VM off, exit handlers, the VM manager.
 */
#include "lib.h"
#include "console.h"
#include "lapic.h"
#include "percpu.h"
#include "vm.h"
#include "x86.h"

void vcpu_kick(struct vcpu *v)
{
	if (v->pcpu && v->pcpu != this_cpu())
		lapic_send_ipi(v->pcpu->apic_id, KICK_VECTOR);
}

/* One console write for the whole table, so tables of VMs stopping together don't mix. */
void vm_print_exit_counters(const struct vm *vm)
{
	u64 total[NR_EXIT_REASONS] = { 0 }, sum = 0;
	char buf[2048];
	size_t n;

	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		for (unsigned r = 0; r < NR_EXIT_REASONS; r++)
			total[r] += vm->vcpus[i]->exit_count[r];
	for (unsigned r = 0; r < NR_EXIT_REASONS; r++)
		sum += total[r];
	n = snprintf(buf, sizeof(buf), "VM %s exits: %lu total\n", vm->name, sum);
	for (unsigned r = 0; r < NR_EXIT_REASONS && n < sizeof(buf); r++)
		if (total[r])
			n += snprintf(buf + n, sizeof(buf) - n, "  %-28s %lu\n",
				      vmx_exit_name(r), total[r]);
	console_write(buf, MIN(n, sizeof(buf) - 1));
}

/* Stop a VM: its vCPUs park at their next exit; the hypervisor and other VMs go on. */
void vm_stop(struct vm *vm, const char *fmt, ...)
{
	va_list ap;
	bool first;

	spin_lock(&vm->lock);
	first = vm->state != VM_STOPPED;
	if (first) {
		va_start(ap, fmt);
		vsnprintf(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
		va_end(ap);
		vm->state = VM_STOPPED;
	}
	spin_unlock(&vm->lock);
	if (!first)
		return;
	printk("VM %s stopped: %s\n", vm->name, vm->stop_reason);
	vm_print_exit_counters(vm);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(vm->vcpus[i]);
}

/*
 * After an unmap: every vCPU of vm drops the VM's EPT translations before
 * its next entry (INVEPT works on the executing CPU only), kicked out of the
 * guest if it is in there.
 */
void vm_flush_ept(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		__atomic_store_n(&v->flush_ept, true, __ATOMIC_RELEASE);
		if (v->pcpu && v->pcpu->vcpu == v)
			lapic_send_ipi(v->pcpu->apic_id, KICK_VECTOR);
	}
}
