/*
 * VM management for the hypercall layer (include/vmm.h): the queries the
 * handlers validate against, and the operations, on top of vm_post.c
 * (post-launched VM life cycle), ioreq.c (the request protocol, its
 * buffer included) and vmm_dev.c / vmm_mmio.c (device moves). Handlers run one at a time under the hypercall
 * lock, so the state read by a query still holds when the operation runs.
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

/* User GPAs of post-launched VMs: below 512 GiB (ACRN's 64-bit BAR window ends there). */
#define POST_GPA_LIMIT	(1ULL << 39)


int vmm_copy_from_guest(struct vm *vm, u64 gpa, void *dst, size_t len)
{
	void *p = vm_gpa_to_hva(vm, gpa, len);

	if (!p || !len)
		return -EFAULT;
	memcpy(dst, p, len);
	return 0;
}

int vmm_copy_to_guest(struct vm *vm, u64 gpa, const void *src, size_t len)
{
	void *p = vm_gpa_to_hva(vm, gpa, len);

	if (!p || !len)
		return -EFAULT;
	memcpy(p, src, len);
	return 0;
}

bool vmm_is_service_vm(const struct vm *vm)
{
	return vm->cfg->flags & VM_FLAG_PRIVILEGED;
}

struct vm *vmm_get_vm(u16 vmid)
{
	struct vm *vm = vmid < VMM_MAX_POST_VMS ? &post_vms[vmid] : NULL;

	return vm && vm->post ? vm : NULL;
}

enum vmm_vm_state vmm_vm_state(const struct vm *vm)
{
	switch (vm->state) {
	case VM_CREATED: return VMM_VM_CREATED;
	case VM_RUNNING: return VMM_VM_RUNNING;
	case VM_PAUSED: return VMM_VM_PAUSED;
	default: return VMM_VM_STOPPED;
	}
}

unsigned vmm_vm_nr_vcpus(const struct vm *vm) { return vm->nr_vcpus; }
u32 vmm_vm_gsi_count(const struct vm *vm) { (void)vm; return VIOAPIC_PINS; }
u64 vmm_vm_gpa_limit(const struct vm *vm) { (void)vm; return POST_GPA_LIMIT; }
u64 vmm_post_pcpu_mask(void) { return vm_post_pcpu_mask(); }

/*
 * While a memory batch holds vm's layout (vmm_mem_batch_begin), none of its
 * emulated windows, assigned MMIO devices or BARs can move: below
 * layout_floor they have nothing, and a region there (RAM usually sits
 * low) needs only the RAM check, not the scan of all of them.
 */
static const struct vm *floor_vm;
static u64 layout_floor;

static bool layout_overlaps(const struct vm *vm, u64 gpa, u64 size)
{
	/* emulated windows (LAPIC, IOAPIC, ECAM, MSI-X traps) */
	for (unsigned i = 0; i < vm->nr_mmio; i++)
		if (ranges_overlap(gpa, size, vm->mmio[i].base, vm->mmio[i].len))
			return true;
	if (vmm_mmio_moved_overlaps(vm, gpa, size))
		return true;
	for (unsigned i = 0; i < vm->vpci.nr_vdevs; i++)
		for (unsigned b = 0; b < PCI_BAR_MAX; b++) {
			const struct vpci_bar *bar = &vm->vpci.vdev[i].bar[b];

			if (bar->size && bar->gpa && bar->type != PCI_BAR_IO &&
			    ranges_overlap(gpa, size, bar->gpa, bar->size))
				return true;
		}
	return false;
}

static u64 find_layout_floor(const struct vm *vm)
{
	u64 floor = ~0ULL;

	for (unsigned i = 0; i < vm->nr_mmio; i++)
		floor = MIN(floor, vm->mmio[i].base);
	for (unsigned i = 0; i < vm->vpci.nr_vdevs; i++)
		for (unsigned b = 0; b < PCI_BAR_MAX; b++) {
			const struct vpci_bar *bar = &vm->vpci.vdev[i].bar[b];

			if (bar->size && bar->gpa && bar->type != PCI_BAR_IO)
				floor = MIN(floor, bar->gpa);
		}
	/* MMIO devices are on their own list: one below the rest turns the shortcut off */
	return floor && vmm_mmio_moved_overlaps(vm, 0, floor) ? 0 : floor;
}

bool vmm_gpa_range_in_use(const struct vm *vm, u64 gpa, u64 size)
{
	if (vm_ram_post_overlaps(vm, gpa, size))
		return true;
	if (vm == floor_vm && gpa + size <= layout_floor)
		return false;
	return layout_overlaps(vm, gpa, size);
}

bool vmm_gpa_range_in_batch(const struct vm *vm, u64 gpa, u64 size)
{
	return vm_ram_post_in_batch(vm, gpa, size);
}

bool vmm_mmio_window_contains(const struct vm *vm, u64 gpa, u64 size)
{
	u64 base, len, ecam;

	(void)vm;
	vm_vpci_windows(&base, &len, &ecam);
	return gpa >= base && size <= len && gpa - base <= len - size;
}

/*
 * Its RAM as the scenario gives it (not the hypervisor pages holding its
 * vACPI), and where [gpa, +size) is in host memory: within one range. The
 * range found last is tried first: a memory batch's pages mostly share one.
 */
static bool service_ram(const struct vm *service, u64 gpa, u64 size, u64 *hpa)
{
	static unsigned last;	/* hypercalls run one at a time */
	const struct vm_config *c = service->cfg;

	if (!size)
		return false;
	if (last < c->nr_mem && vm_mem_find(&c->mem[last], 1, gpa, size, hpa))
		return true;
	for (unsigned i = 0; i < c->nr_mem; i++)
		if (vm_mem_find(&c->mem[i], 1, gpa, size, hpa)) {
			last = i;
			return true;
		}
	return false;
}

bool vmm_is_service_ram(const struct vm *service, u64 gpa, u64 size)
{
	u64 hpa;

	return service_ram(service, gpa, size, &hpa);
}

bool vmm_uuid_in_use(const u8 uuid[16])
{
	for (unsigned i = 0; i < VMM_MAX_POST_VMS; i++)
		if (post_vms[i].post && !memcmp(post_vms[i].uuid, uuid, 16))
			return true;
	return false;
}

int vmm_vcpu_from_lapic_id(const struct vm *vm, u32 lapic_id)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->vlapic.apic_id == lapic_id &&
		    vm->vcpus[i]->removed == VCPU_REMOVE_NONE)
			return (int)i;
	return -ENOENT;
}

/* ---- life cycle ---- */

int vmm_create_vm(const struct vmm_vm_params *p, u16 *vmid)
{
	return vm_post_create(p, vmid);
}

int vmm_destroy_vm(struct vm *vm)
{
	int ret = vm_post_wait_left(vm);

	if (ret)
		return ret;
	vmm_dev_release_all(vm);	/* devices back to the Service VM */
	vmm_mmio_release_all(vm);
	vm_post_destroy(vm);
	return 0;
}

int vmm_start_vm(struct vm *vm) { return vm_post_start(vm); }
int vmm_pause_vm(struct vm *vm) { return vm_post_pause(vm); }
int vmm_reset_vm(struct vm *vm) { return vm_post_reset(vm); }

int vmm_set_vcpu_regs(struct vm *vm, u16 vcpu_id, const struct abi_regs *regs)
{
	struct vcpu *v = vm->vcpus[vcpu_id];

	/* CREATED: no vCPU runs; the state is loaded at START (vcpu_run_loop) */
	v->start_regs = *regs;
	v->has_start_regs = true;
	return 0;
}

/* The upcall vector for forwarded I/O requests (vmm/ioreq.c injects it). */
int vmm_set_callback_vector(struct vm *service, u8 vector)
{
	service->callback_vector = vector;
	return 0;
}

/*
 * SOS_REMOVE_CPU: the Service VM has offlined vCPU vcpu_id (halted, or back
 * to wait-for-SIPI); it leaves its pCPU, which post-launched VMs whose
 * template names it may then use. A vCPU running guest code is refused.
 */
int vmm_remove_service_vcpu(struct vm *service, unsigned vcpu_id)
{
	struct vcpu *v = service->vcpus[vcpu_id];
	u64 until = rdtsc() + 100 * tsc_khz;
	u8 asked = VCPU_REMOVE_ASKED;

	if (v->removed != VCPU_REMOVE_NONE)
		return -EINVAL;
	if (v->state != VCPU_WAIT_SIPI && v->state != VCPU_HALTED)
		return -EBUSY;
	__atomic_store_n(&v->removed, VCPU_REMOVE_ASKED, __ATOMIC_SEQ_CST);
	lapic_send_ipi(v->pcpu->apic_id, KICK_VECTOR);
	/* an offline vCPU spins in the hypervisor's wait loop: it answers within microseconds */
	while (__atomic_load_n(&v->pcpu->vcpu, __ATOMIC_ACQUIRE) == v && rdtsc() < until)
		cpu_relax();
	if (__atomic_load_n(&v->pcpu->vcpu, __ATOMIC_ACQUIRE) == v &&
	    __atomic_compare_exchange_n(&v->removed, &asked, VCPU_REMOVE_NONE, false,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return -EBUSY;		/* it went back to guest code: nothing changed */
	/* it claimed the removal: it is on its way out */
	while (__atomic_load_n(&v->pcpu->vcpu, __ATOMIC_ACQUIRE) == v)
		cpu_relax();
	printk_ratelimited("VM %s: vCPU %u removed, CPU %u is free for post-launched VMs\n", service->name,
	       vcpu_id, v->pcpu->id);
	return 0;
}

/* ---- memory ---- */

/*
 * The batch in progress (hypercalls run one at a time). Its record is the
 * VM's EPT (include/vm_ram.h): nothing here grows with the regions.
 */
static struct vm_ram_batch mem_batch;

void vmm_mem_batch_begin(struct vm *vm)
{
	/* vPCI's lock: BAR placement checks the VM's RAM under it */
	spin_lock(&vm->vpci.lock);
	vm_ram_batch_begin(&mem_batch, vm);
	layout_floor = find_layout_floor(vm);
	floor_vm = vm;
}

int vmm_map_region(struct vm *vm, u64 user_gpa, u64 service_gpa, u64 size, u32 attr)
{
	u64 prot = 0, hpa;
	unsigned mt;
	int ret;

	if (!service_ram(service_vm, service_gpa, size, &hpa))
		return -EFAULT;
	/* the template says how much RAM such a VM may have */
	if (vm->cfg->template_mem_size && size > vm->cfg->template_mem_size - vm->ram.mapped) {
		printk_ratelimited("VM %s: more RAM than its template's %lu MiB refused\n", vm->name,
		       vm->cfg->template_mem_size >> 20);
		return -ENOMEM;
	}
	if (attr & ABI_MEM_ACCESS_READ)
		prot |= EPT_R;
	if (attr & ABI_MEM_ACCESS_WRITE)
		prot |= EPT_W;
	if (attr & ABI_MEM_ACCESS_EXEC)
		prot |= EPT_X;
	mt = (attr & ABI_MEM_TYPE_UC) ? EPT_MT_UC : EPT_MT_WB;
	/* DMA first: the range is free there as well, so undoing it is exact */
	if (vm->dma_domain) {
		ret = vtd_domain_map(vm->dma_domain, user_gpa, hpa, size,
				     VTD_PERM_R | ((attr & ABI_MEM_ACCESS_WRITE) ? VTD_PERM_W : 0));
		if (ret)
			return ret;
	}
	ret = vm_ram_batch_map(&mem_batch, user_gpa, hpa, size, prot, mt);
	if (ret && vm->dma_domain)
		vtd_domain_unmap(vm->dma_domain, user_gpa, size);
	return ret;
}

int vmm_unmap_region(struct vm *vm, u64 user_gpa, u64 size)
{
	(void)vm;
	return vm_ram_batch_unmap(&mem_batch, user_gpa, size);
}

static void dma_unmap(void *ctx, u64 gpa, u64 size)
{
	struct vm *vm = ctx;

	if (vm->dma_domain && vtd_domain_unmap(vm->dma_domain, gpa, size))
		printk_ratelimited("VM %s: DMA unmap of 0x%lx+0x%lx failed\n", vm->name, gpa, size);
}

int vmm_mem_batch_end(struct vm *vm, bool commit)
{
	int ret = 0;

	floor_vm = NULL;
	if (vm_ram_batch_end(&mem_batch, commit, dma_unmap, vm))
		ret = vm_flush_ept(vm);
	spin_unlock(&vm->vpci.lock);
	return ret;
}

/* ---- interrupts from the device model ---- */

int vmm_inject_msi(struct vm *vm, u64 addr, u32 data)
{
	return vlapic_deliver_msi(&vm->lapics, addr, data);
}

int vmm_set_irqline(struct vm *vm, u32 gsi, u32 op)
{
	switch (op) {
	case ABI_GSI_SET_HIGH:
		return vioapic_set_irq(&vm->vioapic, gsi, true);
	case ABI_GSI_SET_LOW:
		return vioapic_set_irq(&vm->vioapic, gsi, false);
	case ABI_GSI_RAISING_PULSE:
		vioapic_set_irq(&vm->vioapic, gsi, true);
		return vioapic_set_irq(&vm->vioapic, gsi, false);
	default:	/* ABI_GSI_FALLING_PULSE */
		vioapic_set_irq(&vm->vioapic, gsi, false);
		return vioapic_set_irq(&vm->vioapic, gsi, true);
	}
}
