/*
 * Post-launched VMs: built from the scenario's post-launched template when
 * the Service VM asks (CREATE_VM), with no RAM until VM_SET_MEMORY_REGIONS,
 * vCPUs on the template's reserved pCPUs, the vLAPIC/vIOAPIC and a vPCI
 * host bridge of their own; everything else they touch is forwarded to the
 * Service VM (vmm/ioreq.c). Their vCPUs take a pCPU at START_VM and leave it
 * (VMCS cleared, TLB flushed) when the VM pauses, stops or is reset.
 */
#include "lib.h"
#include "ratelimit.h"
#include "lapic.h"
#include "mm.h"
#include "percpu.h"
#include "vmm_internal.h"
#include "vmm.h"
#include "vtd.h"
#include "x86.h"

#define LEAVE_TIMEOUT_MS 1000
#define POST_EPT_EXTRA_PAGES 64	/* EPT tables beyond one per 2 MiB of RAM */

struct vm post_vms[VMM_MAX_POST_VMS];
static bool post_in_use[VMM_MAX_POST_VMS];
static char post_names[VMM_MAX_POST_VMS][24];


static const struct vm_config *vm_post_template(void)
{
	for (unsigned i = 0; i < scenario.nr_vms; i++)
		if (scenario.vms[i].kind == VM_POST_LAUNCHED)
			return &scenario.vms[i];
	return NULL;
}

/*
 * pCPUs post-launched VMs may use: the templates' CPUs that no boot VM's
 * vCPU holds (one vCPU per pCPU). The Service VM frees one it shares with a
 * template by SOS_REMOVE_CPU.
 */
u64 vm_post_pcpu_mask(void)
{
	u64 mask = 0;

	for (unsigned i = 0; i < scenario.nr_vms; i++)
		if (scenario.vms[i].kind == VM_POST_LAUNCHED)
			mask |= scenario.vms[i].cpu_affinity;
	mask &= nr_pcpus >= 64 ? ~0ULL : BIT(nr_pcpus) - 1;
	for (unsigned cpu = 0; cpu < nr_pcpus; cpu++) {
		struct vcpu *v = __atomic_load_n(&pcpus[cpu].vcpu, __ATOMIC_ACQUIRE);

		if (v && !v->vm->post)
			mask &= ~BIT(cpu);
	}
	return mask;
}

bool vm_is_post_pcpu(unsigned cpu)
{
	return vm_post_pcpu_mask() & BIT(cpu);
}

/* pCPUs a live post-launched VM holds (its vCPUs, running or not). */
static u64 pcpus_taken(void)
{
	u64 mask = 0;

	for (unsigned i = 0; i < VMM_MAX_POST_VMS; i++)
		for (unsigned j = 0; post_in_use[i] && j < post_vms[i].nr_vcpus; j++)
			mask |= BIT(post_vms[i].vcpus[j]->pcpu->id);
	return mask;
}



static void post_slot_free(struct vm *vm)
{
	unsigned slot = vm->vmid;

	memset(vm, 0, sizeof(*vm));
	__atomic_store_n(&post_in_use[slot], false, __ATOMIC_RELEASE);
}

int vm_post_create(const struct vmm_vm_params *p, u16 *vmid)
{
	const struct vm_config *t = vm_post_template();
	u64 affinity;
	struct vm *vm = NULL;
	unsigned slot;
	int ret;

	if (!t)
		return -ENODEV;
	affinity = p->cpu_affinity ? p->cpu_affinity : t->cpu_affinity;
	if (affinity & ~vm_post_pcpu_mask()) {
		printk_ratelimited("VM %s: CPUs 0x%lx asked for, 0x%lx free for post-launched VMs (a CPU a boot "
		       "VM runs on must be given up first: SOS_REMOVE_CPU)\n", t->name, affinity,
		       vm_post_pcpu_mask());
		return -EBUSY;
	}
	if (affinity & pcpus_taken())
		return -EBUSY;
	for (slot = 0; slot < VMM_MAX_POST_VMS; slot++)
		if (!post_in_use[slot])
			break;
	if (slot == VMM_MAX_POST_VMS)
		return -ENOSPC;
	vm = &post_vms[slot];
	memset(vm, 0, sizeof(*vm));
	post_in_use[slot] = true;
	snprintf(post_names[slot], sizeof(post_names[slot]), "%s-%u", t->name, slot);
	vm->cfg = t;
	vm->name = post_names[slot];
	vm->id = CONFIG_MAX_VMS + slot;		/* VPIDs apart from the boot VMs' */
	vm->vmid = (u16)slot;
	vm->post = true;
	memcpy(vm->uuid, p->uuid, sizeof(vm->uuid));
	vm->vm_flag = p->vm_flag;
	vm->state = VM_CREATED;
	/*
	 * Enough EPT tables for all the RAM its template allows in 4 KiB pages
	 * (one table per 2 MiB, one directory per GiB, each rounded up) plus the
	 * upper levels, the ends of RAM ranges that do not fall on 2 MiB, BAR and
	 * MMIO windows: a Service VM mapping at ever new addresses gets -ENOMEM,
	 * not the host's memory.
	 */
	vm->ept_page_limit = (unsigned)(ALIGN_UP(t->template_mem_size, 1ULL << 21) >> 21) +
			     (unsigned)(ALIGN_UP(t->template_mem_size, 1ULL << 30) >> 30) +
			     POST_EPT_EXTRA_PAGES;
	ret = vm_build(vm, affinity);
	if (ret) {
		post_slot_free(vm);
		return ret;
	}
	pr_info_ratelimited("VM %s: created (vmid %u, %u vCPU(s), CPUs 0x%lx)\n", vm->name, slot,
		vm->nr_vcpus, affinity);
	*vmid = (u16)slot;
	return 0;
}

/* Off its pCPU (vcpu_leave_pcpu has let go of it), or never placed. */
static bool vcpu_left(const struct vcpu *v, u64 unused)
{
	(void)unused;
	return !v->pcpu || __atomic_load_n(&v->pcpu->vcpu, __ATOMIC_ACQUIRE) != v;
}

/*
 * Make the VM's vCPUs leave their pCPUs (state already not RUNNING): a kick,
 * then NMIs (vm_kick_until), as a guest spinning with IF=0 (Linux after its
 * S5 write) may take no exit for the kick in Bochs.
 */
static int wait_vcpus_left(struct vm *vm)
{
	u64 until = rdtsc() + LEAVE_TIMEOUT_MS * tsc_khz;
	unsigned late;

	if (vm_kick_until(vm, vcpu_left, 0, LEAVE_TIMEOUT_MS, &late)) {
		printk_ratelimited("VM %s: vCPU %u did not leave its pCPU within %u ms (no answer to "
				   "kicks or NMIs)\n", vm->name, late, LEAVE_TIMEOUT_MS);
		return -ETIMEDOUT;
	}
	/* each let go of its pCPU; its count drops right after */
	while (__atomic_load_n(&vm->nr_active_vcpus, __ATOMIC_ACQUIRE)) {
		if (rdtsc() >= until) {
			printk_ratelimited("VM %s: a vCPU did not leave its pCPU within %u ms\n", vm->name,
			       LEAVE_TIMEOUT_MS);
			return -ETIMEDOUT;
		}
		cpu_relax();
	}
	return 0;
}

int vm_post_start(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->pcpu->vcpu)
			return -EBUSY;		/* a vCPU of the last run has not left yet */
	vm->nr_active_vcpus = vm->nr_vcpus;
	vm->state = VM_RUNNING;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		v->state = VCPU_WAIT_SIPI;	/* vcpu_run_loop picks the start state */
		__atomic_store_n(&v->pcpu->vcpu, v, __ATOMIC_RELEASE);
		lapic_send_ipi(v->pcpu->apic_id, KICK_VECTOR);
	}
	pr_info_ratelimited("VM %s: started\n", vm->name);
	return 0;
}

/*
 * PAUSED takes effect at once: no vCPU enters the guest again. A vCPU still
 * busy in the hypervisor leaves when it is done; PAUSE does not fail for
 * that (its state is what it says). RESET and DESTROY wait for it and
 * refuse, changing nothing, while it has not; device moves meanwhile are
 * safe (vPCI, INTx routes and EPT changes are locked or flushed).
 */
int vm_post_pause(struct vm *vm)
{
	spin_lock(&vm->lock);
	if (vm->state == VM_RUNNING)
		vm->state = VM_PAUSED;
	else if (vm->state == VM_STOPPED)
		vm->state = VM_PAUSED;	/* a stopped VM is as good as paused */
	spin_unlock(&vm->lock);
	if (wait_vcpus_left(vm))
		printk_ratelimited("VM %s: paused; a vCPU has yet to leave (RESET and DESTROY wait for it)\n",
		       vm->name);
	return 0;
}

/* Back to CREATED: fresh vCPUs (registers, vLAPICs), free request slots; RAM and devices stay. */
int vm_post_reset(struct vm *vm)
{
	int ret = wait_vcpus_left(vm);

	if (ret)
		return ret;
	ret = vm_reset_build(vm);
	if (ret) {
		/* no memory for fresh vCPUs: the VM is as it was (paused), the caller may retry */
		printk_ratelimited("VM %s: reset refused: no memory for its vCPUs (%d)\n", vm->name, ret);
		return ret;
	}
	vm->stop_reason[0] = 0;
	vm->state = VM_CREATED;
	pr_info_ratelimited("VM %s: reset\n", vm->name);
	return 0;
}

void vm_post_destroy(struct vm *vm)
{
	printk_ratelimited("VM %s: destroyed\n", vm->name);
	vm_unbuild(vm);
	post_slot_free(vm);
}

int vm_post_wait_left(struct vm *vm)
{
	return wait_vcpus_left(vm);
}
