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

/*
 * The caller stored what it announces; the count (a locked add: a full
 * barrier) orders that before the look at in_handler (vcpu_handler_done's
 * pair). A vCPU in its exit handler or entry path looks before it enters or
 * sleeps: no IPI. On its own pCPU it is the caller's context: it looks
 * anyway, and a count there would only send its entry path round again.
 */
void vcpu_kick(struct vcpu *v)
{
	if (v->pcpu == this_cpu())
		return;
	__atomic_add_fetch(&v->kicks, 1, __ATOMIC_SEQ_CST);
	if (v->pcpu && !__atomic_load_n(&v->in_handler, __ATOMIC_RELAXED))
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

/*
 * Each vCPU's TSC sums (include/vcpu.h): root = entries - exits, every
 * interval paired, of which idle_ticks asleep (HLT, an ioreq wait); the
 * rest of its runs is guest time. In Bochs the TSC counts instructions.
 */
void vm_print_root_time(const struct vm *vm)
{
	u64 root = 0, idle = 0, run = 0, guest, work, pct100;

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		const struct vcpu *v = vm->vcpus[i];

		root += ((v->tsc_entry_hi << 32) + v->tsc_entry_lo) -
			((v->tsc_exit_hi << 32) + v->tsc_exit_lo);
		idle += v->idle_ticks;
		run += v->run_ticks;
	}
	guest = run > root ? run - root : 0;
	work = root > idle ? root - idle : 0;
	pct100 = work + guest ? work * 10000 / (work + guest) : 0;
	printk("VM %s time: guest %lu ticks, hypervisor %lu ticks (%lu.%02lu%%), asleep %lu ticks\n",
	       vm->name, guest, work, pct100 / 100, pct100 % 100, idle);
}

/*
 * Stop a VM: its vCPUs park at their next exit; the hypervisor and other
 * VMs go on. Returns once each has left guest mode (the flush's wait: an
 * NMI follows a kick it does not answer), or said it did not.
 */
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
	vm_flush_ept(vm);
}

/*
 * After an unmap: every vCPU of vm has dropped the VM's EPT translations
 * (or is off its pCPU) when this returns 0. A vCPU that answers neither
 * kicks nor NMIs may still use the old ones: -ETIMEDOUT, the VM stopped,
 * and what was unmapped must not be given to anyone else.
 */
int vm_flush_ept(struct vm *vm)
{
	u64 gen = __atomic_add_fetch(&vm->flush_gen, 1, __ATOMIC_SEQ_CST);
	unsigned late;

	if (!vm_flush_wait(vm, gen, this_cpu()->vcpu, &late))
		return 0;
	printk("VM %s: vCPU %u did not flush its EPT translations (no answer to kicks or NMIs)\n",
	       vm->name, late);
	vm_stop(vm, "vCPU %u did not answer a flush of its EPT translations", late);
	return -ETIMEDOUT;
}
