/*
 * Waiting for a VM's vCPUs to drop stale EPT translations. INVEPT works on
 * the executing CPU only, so each vCPU flushes on its own pCPU and says so
 * by catching its flushed_gen up with the VM's flush_gen; the unmapping
 * side bumps flush_gen and waits. A kick (an IPI) is not enough: a CPU may
 * take no exit for it (Bochs, guest IF=0) or sit in the hypervisor with
 * interrupts off, so a kick not answered within a millisecond is followed
 * by NMIs, which exit the guest (NMI exiting) or reach the host's NMI
 * handler, and both flush. vm_kick_until is that kick-then-NMIs wait for
 * any per-vCPU condition.
 */
#include "lib.h"
#include "lapic.h"
#include "percpu.h"
#include "vm.h"
#include "x86.h"

#define FLUSH_NMI_AFTER_MS	1	/* kick unanswered this long: NMIs, one a millisecond */
#define FLUSH_TIMEOUT_MS	100

/* On v's own pCPU, in the hypervisor: drop the VM's translations if a flush was asked. */
void vcpu_ack_flush(struct vcpu *v)
{
	u64 gen = __atomic_load_n(&v->vm->flush_gen, __ATOMIC_ACQUIRE);

	if (__atomic_load_n(&v->flushed_gen, __ATOMIC_RELAXED) == gen)
		return;
	invept_single(v->vm->eptp);
	__atomic_store_n(&v->flushed_gen, gen, __ATOMIC_RELEASE);
}

/* Flushed up to gen, or off its pCPU (it flushes before it enters again). */
static bool vcpu_flushed(const struct vcpu *v, u64 gen)
{
	const struct pcpu *p = v->pcpu;

	return __atomic_load_n(&v->flushed_gen, __ATOMIC_ACQUIRE) >= gen ||
	       !p || __atomic_load_n(&p->vcpu, __ATOMIC_ACQUIRE) != v;
}

/*
 * Kick each vCPU of vm for which done(v, arg) is false; one that has not
 * come round within a millisecond gets NMIs, one a millisecond, until done
 * holds for every vCPU (0) or timeout_ms has passed (-ETIMEDOUT, the first
 * vCPU still not done in *late). The one way to make a vCPU leave guest mode
 * whatever its IF: EPT flushes wait here, and so do PAUSE/RESET/DESTROY of
 * post-launched VMs (vmm/vm_post.c).
 */
int vm_kick_until(struct vm *vm, bool (*done)(const struct vcpu *v, u64 arg), u64 arg,
		  unsigned timeout_ms, unsigned *late)
{
	u64 start = rdtsc(), ms = tsc_khz, next_nmi = start + FLUSH_NMI_AFTER_MS * ms;
	bool pending = true;

	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (!done(vm->vcpus[i], arg))
			lapic_send_ipi(vm->vcpus[i]->pcpu->apic_id, KICK_VECTOR);
	while (pending) {
		u64 now = rdtsc();
		bool nmi = now >= next_nmi;

		pending = false;
		for (unsigned i = 0; i < vm->nr_vcpus; i++) {
			struct vcpu *v = vm->vcpus[i];

			if (done(v, arg))
				continue;
			if (now - start >= timeout_ms * ms) {
				*late = i;
				return -ETIMEDOUT;
			}
			if (nmi)
				lapic_send_nmi(v->pcpu->apic_id);
			pending = true;
		}
		if (nmi)
			next_nmi = now + ms;
		cpu_relax();
	}
	return 0;
}

/*
 * Every vCPU of vm flushed up to gen (self, the caller's own vCPU or NULL,
 * flushes here). 0, or -ETIMEDOUT naming the first vCPU that did not answer
 * in *late.
 */
int vm_flush_wait(struct vm *vm, u64 gen, struct vcpu *self, unsigned *late)
{
	if (self && self->vm == vm)
		vcpu_ack_flush(self);
	return vm_kick_until(vm, vcpu_flushed, gen, FLUSH_TIMEOUT_MS, late);
}
