/*
 * Waiting for a VM's vCPUs to drop stale EPT translations. INVEPT works on
 * the executing CPU only, so each vCPU flushes on its own pCPU and says so
 * by catching its flushed_gen up with the VM's flush_gen; the unmapping
 * side bumps flush_gen and waits. A kick (an IPI) is not enough: a CPU may
 * take no exit for it (Bochs, guest IF=0) or sit in the hypervisor with
 * interrupts off, so a kick not answered within a millisecond is followed
 * by NMIs, which exit the guest (NMI exiting) or reach the host's NMI
 * handler, and both flush.
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
 * Every vCPU of vm flushed up to gen (self, the caller's own vCPU or NULL,
 * flushes here). 0, or -ETIMEDOUT naming the first vCPU that did not answer
 * in *late.
 */
int vm_flush_wait(struct vm *vm, u64 gen, struct vcpu *self, unsigned *late)
{
	u64 start = rdtsc(), ms = tsc_khz, next_nmi = start + FLUSH_NMI_AFTER_MS * ms;
	bool pending = true;

	if (self && self->vm == vm)
		vcpu_ack_flush(self);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (!vcpu_flushed(vm->vcpus[i], gen))
			lapic_send_ipi(vm->vcpus[i]->pcpu->apic_id, KICK_VECTOR);
	while (pending) {
		u64 now = rdtsc();
		bool nmi = now >= next_nmi;

		pending = false;
		for (unsigned i = 0; i < vm->nr_vcpus; i++) {
			struct vcpu *v = vm->vcpus[i];

			if (vcpu_flushed(v, gen))
				continue;
			if (now - start >= FLUSH_TIMEOUT_MS * ms) {
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
