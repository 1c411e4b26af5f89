/*
 * Building a VM, for every kind: its core (exit bitmaps, EPT, DMA domain,
 * interrupt controllers, vCPUs), then its device units (include/vm_unit.h)
 * in one order; a failure undoes what was built, in reverse. Boot VMs get
 * their RAM and kernel around this (vm.c), post-launched VMs theirs by
 * hypercall (vm_post.c).
 */
#include "lib.h"
#include "dma_policy.h"
#include "mm.h"
#include "percpu.h"
#include "vmm_internal.h"
#include "vm_unit.h"
#include "vtd.h"
#include "x86.h"

/* In build order; released in reverse. */
static const struct vm_unit *const units[] = {
	&vmmio_unit,		/* board MMIO devices passed through */
	&ioreq_unit,		/* accesses nobody claims go to the Service VM */
	&vuart_unit,		/* COM1 */
	&vpm_unit,		/* ACPI PM1 and the reset port */
	&rtc_pt_unit,		/* the host's CMOS RTC (Service VM) */
	&vrtc_unit,		/* a CMOS RTC of its own (pre-launched VMs) */
	&vpci_unit,		/* the virtual PCI bus and its passthrough functions */
	&ptirq_unit,		/* their INTx lines (routed by the vPCI unit) */
	&isa_irq_unit,		/* the Service VM's ISA lines: RTC, HPET timers */
	&dma_protect_unit,	/* their DMA: into the VM's domain, or refused */
};

static bool has_unit(const struct vm *vm, const struct vm_unit *u)
{
	return u->kinds & BIT(vm->cfg->kind);
}

/*
 * A new vCPU of vm on pCPU cpu, next in vm->vcpus, its vLAPIC at reset (the
 * first is the BSP): in mem (fresh pages) if given, else in new ones.
 */
static struct vcpu *vm_add_vcpu(struct vm *vm, unsigned cpu, enum vcpu_state state, struct vcpu *mem)
{
	struct vcpu *v = mem ? mem : page_alloc(VCPU_PAGES);

	if (!v)
		return NULL;
	v->vm = vm;
	v->id = vm->nr_vcpus;
	v->pcpu = &pcpus[cpu];
	v->state = state;
	vm->vcpus[vm->nr_vcpus++] = v;
	vlapic_init(&v->vlapic, &vm->lapics, v->id, v->id == 0);
	v->vlapic.priv = v;
	return v;
}

/*
 * One vCPU per pCPU of affinity: a boot VM's wait for their start (BSP by
 * the loader, APs by SIPI), a post-launched VM's stay off until START_VM.
 * mem: pages for each in turn, or NULL for new ones.
 */
static int vcpus_add(struct vm *vm, u64 affinity, struct vcpu *const *mem)
{
	enum vcpu_state state = vm->post ? VCPU_STOPPED : VCPU_WAIT_SIPI;

	/* lowest pCPU first: vCPU 0, the BSP, on the first CPU of the affinity */
	for (u64 left = affinity; left; left &= left - 1) {
		unsigned cpu = (unsigned)__builtin_ctzll(left);

		if (cpu >= nr_pcpus || cpu >= CONFIG_MAX_CPUS) {
			printk("VM %s: CPU %u is not present on this machine (%u CPUs)\n",
			       vm->name, cpu, nr_pcpus);
			return -ENODEV;
		}
		if (!vm->post && pcpus[cpu].vcpu) {
			printk("VM %s: CPU %u already runs VM %s\n", vm->name, cpu,
			       pcpus[cpu].vcpu->vm->name);
			return -EBUSY;
		}
		if (!vm_add_vcpu(vm, cpu, state, mem ? mem[vm->nr_vcpus] : NULL))
			return -ENOMEM;
	}
	if (!vm->nr_vcpus) {
		printk("VM %s: no CPU assigned\n", vm->name);
		return -EINVAL;
	}
	if (!vm->post)
		vm->nr_active_vcpus = vm->nr_vcpus;
	return 0;
}

static void vcpus_free(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		page_free(vm->vcpus[i]->vmcs, 1);
		page_free(vm->vcpus[i]->msr_bitmap, 1);
		page_free(vm->vcpus[i], VCPU_PAGES);
		vm->vcpus[i] = NULL;
	}
	vm->nr_vcpus = 0;
	memset(vm->lapics.vlapic, 0, sizeof(vm->lapics.vlapic));
	vm->lapics.count = 0;
}

static u64 vcpus_affinity(const struct vm *vm)
{
	u64 affinity = 0;

	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		affinity |= BIT(vm->vcpus[i]->pcpu->id);
	return affinity;
}

/* With VT-d on, each VM gets a DMA domain: a boot VM's maps exactly its RAM, a post-launched VM's what it is given. */
static int dma_domain_init(struct vm *vm)
{
	int ret;

	if (!vtd_active())
		return 0;
	vm->dma_domain = vtd_domain_create(vm->name);
	if (!vm->dma_domain) {
		printk("VM %s: no VT-d domain could be created\n", vm->name);
		return -ENOMEM;
	}
	if (vm->post)
		return 0;
	ret = vtd_domain_map_vm(vm->dma_domain, vm->cfg);
	if (ret)
		printk("VM %s: mapping its RAM for DMA failed (%d)\n", vm->name, ret);
	return ret;
}

static int core_init(struct vm *vm, u64 affinity)
{
	int ret;

	vm->fallback = &io_fallback_none;
	vm->io_bitmap = page_alloc(2);
	vm->msr_bitmap = page_alloc(1);
	if (!vm->io_bitmap || !vm->msr_bitmap)
		return -ENOMEM;
	memset(vm->io_bitmap, 0xff, 2 * PAGE_SIZE);
	vmx_msr_bitmap_init(vm->msr_bitmap);
	ret = ept_init(vm);
	/*
	 * A boot VM's RAM is not zeroed: at boot it holds only firmware
	 * leftovers, no other VM has run in it, and zeroing costs ~1 instruction
	 * per 8 bytes. A post-launched VM has none until the Service VM maps some.
	 */
	for (unsigned i = 0; i < vm->ram.nr && !ret; i++)
		ret = ept_map(vm, vm->ram.r[i].gpa, vm->ram.r[i].hpa, vm->ram.r[i].size, EPT_RWX,
			      EPT_MT_WB);
	if (!ret)
		ret = dma_domain_init(vm);
	if (!ret)
		ret = vm_irq_init(vm);
	if (!ret)
		ret = vcpus_add(vm, affinity, NULL);
	return ret;
}

/* What core_init built, whatever part of it (pointers it did not set are NULL). */
static void core_free(struct vm *vm)
{
	vcpus_free(vm);
	ept_destroy(vm);
	page_free(vm->io_bitmap, 2);
	page_free(vm->msr_bitmap, 1);
	vm->io_bitmap = vm->msr_bitmap = NULL;
	if (vm->dma_domain && vtd_domain_destroy(vm->dma_domain))
		printk("VM %s: its VT-d domain could not be freed\n", vm->name);
	vm->dma_domain = NULL;
}

static void release_units(struct vm *vm, unsigned n)
{
	while (n--)
		if (has_unit(vm, units[n]) && units[n]->release)
			units[n]->release(vm);
}

/* Build vm (cfg, name, kind and RAM table set) with vCPUs on the pCPUs of affinity. */
int vm_build(struct vm *vm, u64 affinity)
{
	static u32 serials;
	unsigned i;
	int ret;

	vm->serial = __atomic_add_fetch(&serials, 1, __ATOMIC_RELAXED);
	ret = core_init(vm, affinity);

	for (i = 0; i < ARRAY_SIZE(units) && !ret; i++)
		if (has_unit(vm, units[i]) && units[i]->init)
			ret = units[i]->init(vm);
	if (!ret)
		return 0;
	release_units(vm, i ? i - 1 : 0);	/* the failed unit left nothing */
	core_free(vm);
	return ret;
}

/* Give back every unit's devices, lines and mappings (the VM stopped, or is going away). */
void vm_release_units(struct vm *vm)
{
	release_units(vm, ARRAY_SIZE(units));
}

/* Undo vm_build: units released, core freed. No vCPU of vm runs or will. */
void vm_unbuild(struct vm *vm)
{
	vm_release_units(vm);
	core_free(vm);
}

/*
 * A post-launched VM back to power-on: fresh vCPUs on the same pCPUs
 * (registers, vLAPICs), the vIOAPIC at reset, every unit's reset; its RAM
 * and devices stay. Their memory comes first: without it (-ENOMEM) the
 * VM is left as it was.
 */
int vm_reset_build(struct vm *vm)
{
	u64 affinity = vcpus_affinity(vm);
	struct vcpu *fresh[CONFIG_MAX_CPUS] = { 0 };	/* NULL past n: vcpus_add would allocate */
	unsigned n = vm->nr_vcpus;
	int ret;

	for (unsigned i = 0; i < n; i++) {
		fresh[i] = page_alloc(VCPU_PAGES);
		if (!fresh[i]) {
			while (i--)
				page_free(fresh[i], VCPU_PAGES);
			return -ENOMEM;
		}
	}
	vcpus_free(vm);
	ret = vcpus_add(vm, affinity, fresh);	/* the pCPUs its build checked */
	if (ret) {
		for (unsigned i = vm->nr_vcpus; i < n; i++)
			page_free(fresh[i], VCPU_PAGES);
		return ret;
	}
	vioapic_init(&vm->vioapic, &vm->lapics, 0);
	for (unsigned i = 0; i < ARRAY_SIZE(units); i++)
		if (has_unit(vm, units[i]) && units[i]->reset)
			units[i]->reset(vm);
	return 0;
}

/*
 * Passthrough PCI devices can do DMA, and a DMA write to 0xFEExxxxx is an
 * MSI: include/dma_policy.h decides (DMA and interrupt remapping, or a VM
 * marked unprotected-dma); with VT-d on they go into the VM's domain.
 */
static int dma_protect_init(struct vm *vm)
{
	const struct vm_config *c = vm->cfg;

	for (unsigned i = 0; i < c->nr_pci_devs; i++) {
		u16 bdf = c->pci_devs[i].pbdf;
		char what[16];
		int ret;

		snprintf(what, sizeof(what), "PCI %02x:%02x.%u", PCI_BUS(bdf), PCI_DEV(bdf), PCI_FN(bdf));
		ret = dma_policy_check(vm->name, c->flags, DEV_CAN_DMA, what);
		if (!ret && vm->dma_domain) {
			ret = vtd_device_assign(vm->dma_domain, bdf);
			if (ret)
				printk("VM %s: %s could not join its DMA domain (%d)\n", vm->name, what, ret);
		}
		if (ret) {
			if (vm->dma_domain)
				while (i--)
					vtd_device_block(c->pci_devs[i].pbdf);
			return ret;
		}
	}
	return 0;
}

/* Its devices leave the domain: blocked until someone assigns them again. */
static void dma_protect_release(struct vm *vm)
{
	if (!vm->dma_domain)
		return;
	for (unsigned i = 0; i < vm->cfg->nr_pci_devs; i++)
		vtd_device_block(vm->cfg->pci_devs[i].pbdf);
}

/* Boot VMs' scenario devices; a post-launched VM's join its domain when assigned (vmm_dev.c). */
const struct vm_unit dma_protect_unit = {
	.name = "DMA protection", .kinds = UNIT_BOOT_VMS,
	.init = dma_protect_init, .release = dma_protect_release,
};
