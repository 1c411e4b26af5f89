/* Boot VMs from the scenario (RAM checked, built, kernel loaded), guest memory access, their stop. */
#include "lib.h"
#include "vm_layout.h"
#include "bootinfo.h"
#include "console.h"
#include "e820.h"
#include "guest_loader.h"
#include "lapic.h"
#include "mm.h"
#include "percpu.h"
#include "vmm_internal.h"
#include "x86.h"
#include "vtd.h"
#include "vacpi.h"

struct vm vms[CONFIG_MAX_VMS];
unsigned nr_vms;


/*
 * A post-launched VM's RAM is its EPT (include/vm_ram.h), which changes
 * under its running vCPUs; a boot VM's is its table, fixed once it runs.
 * Both are read consistently.
 */
void *vm_gpa_to_hva(const struct vm *vm, u64 gpa, u64 len)
{
	bool found;
	u64 hpa = 0;
	u32 seq;

	if (!len)
		len = 1;	/* "is gpa RAM": not the byte past a range's end */
	if (vm->post)
		return vm_ram_post_lookup(vm, gpa, len, &hpa) ? phys_to_virt(hpa) : NULL;
	do {
		seq = vm_ram_read_begin(&vm->ram);
		found = vm_ram_lookup(&vm->ram, gpa, len, &hpa);
	} while (vm_ram_read_retry(&vm->ram, seq));
	return found ? phys_to_virt(hpa) : NULL;
}

bool vm_gpa_overlaps_ram(const struct vm *vm, u64 gpa, u64 size)
{
	bool hit;
	u32 seq;

	if (vm->post)
		return vm_ram_post_overlaps(vm, gpa, size);
	do {
		seq = vm_ram_read_begin(&vm->ram);
		hit = vm_ram_overlaps(&vm->ram, gpa, size);
	} while (vm_ram_read_retry(&vm->ram, seq));
	return hit;
}

static u64 vm_ram_size(const struct vm *vm)
{
	return vm_ram_top(&vm->ram);
}


static unsigned nr_vms_released;



/*
 * Called by the last vCPU of a stopped VM to park: nothing of the VM runs
 * any more, so its devices can be taken back: interrupt pins quiet, MMIO
 * regions unmapped, PCI functions reset and their BARs unmapped.
 */
void vm_release_devices(struct vm *vm)
{
	if (vm->post)
		return;		/* the Service VM decides: RESET_VM, DESTROY_VM */
	vm_release_units(vm);
	pr_info("VM %s: devices released\n", vm->name);
	/* the last VM to be done closes the run, so that line comes last */
	if (__atomic_add_fetch(&nr_vms_released, 1, __ATOMIC_SEQ_CST) == nr_vms)
		hv_all_vms_stopped();
}



/* Guest memory accessors for the loaders: every access is range-checked. */
static int gm_write(void *ctx, u64 gpa, const void *src, size_t len)
{
	void *p = vm_gpa_to_hva(ctx, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, src, len);
	return 0;
}

static int gm_zero(void *ctx, u64 gpa, size_t len)
{
	void *p = vm_gpa_to_hva(ctx, gpa, len);

	if (!p)
		return -EFAULT;
	memset(p, 0, len);
	return 0;
}

static int build_e820(const struct vm *vm, struct e820_map *map)
{
	int ret = 0;

	e820_init(map);
	for (unsigned i = 0; i < vm->cfg->nr_mem && !ret; i++) {
		const struct vm_mem_range *r = &vm->cfg->mem[i];

		if (r->gpa == 0 && r->size > 0xA0000) {
			/* legacy hole below 1 MiB, as firmware reports it */
			ret = e820_add(map, 0, 0x9FC00, E820_RAM);
			if (!ret)
				ret = e820_add(map, 0x100000, r->size - 0x100000, E820_RAM);
		} else {
			ret = e820_add(map, r->gpa, r->size, E820_RAM);
		}
	}
	return ret;
}

#define LEGACY_AREA_GPA 0xA0000	/* VGA window, option ROMs, BIOS */
#define EBDA_LOWEST_GPA 0x80000	/* an EBDA is at most 128 KiB */

/*
 * An identity-mapped Service VM's 0xA0000-0xFFFFF is the host's legacy area
 * and the pages just below it (up to its low RAM) the host's reserved EBDA:
 * hypervisor pages are mapped over both instead, zero but for its vACPI at
 * 0xE0000 (readable by the hypervisor as the VM's memory, never counted as
 * its RAM in the e820), so Linux's fixed probes there (the MP table at 639
 * KiB and in the EBDA, the video ROM at 0xC0000, the RSDP) read what they
 * read in any other VM instead of stopping it.
 */
static int vm_firmware_area(struct vm *vm)
{
	u64 start = LEGACY_AREA_GPA, size;
	void *p;
	int ret;

	while (start > EBDA_LOWEST_GPA && !vm_ram_overlaps(&vm->ram, start - PAGE_SIZE, PAGE_SIZE))
		start -= PAGE_SIZE;
	size = VACPI_BIOS_END - start;
	p = page_alloc((unsigned)(size / PAGE_SIZE));
	if (!p)
		return -ENOMEM;
	ret = vm_ram_add(&vm->ram, start, virt_to_phys(p), size);
	if (!ret)
		ret = ept_map(vm, start, virt_to_phys(p), size, EPT_R | EPT_W, EPT_MT_WB);
	return ret;
}

static int load_kernel(struct vm *vm, const struct boot_info *bi)
{
	const struct vm_config *c = vm->cfg;
	const struct boot_module *k, *rd = NULL;
	struct guest_mem gm = { .ctx = vm, .write = gm_write, .zero = gm_zero,
				.ram_size = vm_ram_size(vm) };
	struct e820_map map;
	char why[GUEST_LOAD_WHY_LEN] = "";
	int ret;

	if (!bootinfo_find_module(bi, c->kernel_tag, &k)) {
		printk("VM %s: no boot module tagged '%s'\n", vm->name, c->kernel_tag);
		return -ENOENT;
	}
	if (c->initrd_tag && !bootinfo_find_module(bi, c->initrd_tag, &rd)) {
		printk("VM %s: no boot module tagged '%s' (initrd)\n", vm->name, c->initrd_tag);
		return -ENOENT;
	}
	ret = build_e820(vm, &map);
	if (!ret && (c->flags & VM_FLAG_IDENTITY_MEM))
		ret = vm_firmware_area(vm);
	if (!ret)
		ret = vm_acpi_build(vm, &map);
	if (ret)
		return ret;
	memset(&vm->boot, 0, sizeof(vm->boot));
	if (c->kernel_type == VM_KERNEL_BZIMAGE) {
		ret = guest_bzimage_load(phys_to_virt(k->start), k->end - k->start,
					 rd ? phys_to_virt(rd->start) : NULL,
					 rd ? rd->end - rd->start : 0,
					 c->bootargs ? c->bootargs : "", &map, &gm, &vm->boot,
					 why, sizeof(why));
	} else {
		ret = guest_elf_load(phys_to_virt(k->start), k->end - k->start, &gm, &vm->boot);
		if (!ret)
			ret = guest_mbinfo_build(&gm, c->bootargs ? c->bootargs : "", &map, &vm->boot);
	}
	if (ret && why[0])
		printk("VM %s: kernel '%s' %s (error %d)\n", vm->name, c->kernel_tag, why, ret);
	else if (ret)
		printk("VM %s: loading kernel '%s' failed (%d)\n", vm->name, c->kernel_tag, ret);
	return ret;
}


/* The VM's memory must be host RAM that nothing else uses, at GPAs free of its own devices. */
static int check_memory(const struct vm *vm, const struct boot_info *bi)
{
	const struct vm_config *c = vm->cfg;

	for (unsigned i = 0; i < c->nr_mem; i++) {
		const struct vm_mem_range *r = &c->mem[i];
		const char *what;
		bool ram = false;

		for (unsigned j = 0; j < bi->nr_mmap; j++)
			if (bi->mmap[j].type == 1 && r->hpa >= bi->mmap[j].base &&
			    r->hpa + r->size <= bi->mmap[j].base + bi->mmap[j].len)
				ram = true;
		if (!ram) {
			printk("VM %s: memory 0x%lx+0x%lx is not RAM on this machine\n",
			       vm->name, r->hpa, r->size);
			return -EINVAL;
		}
		what = vm_layout_device_at(r->gpa, r->size);
		if (what) {
			printk("VM %s: memory at GPA 0x%lx+0x%lx overlaps %s: RAM cannot sit where the "
			       "VM's own devices are\n", vm->name, r->gpa, r->size, what);
			return -EINVAL;
		}
		if (ranges_overlap(r->hpa, r->size, scenario.hv_mem.base, scenario.hv_mem.size)) {
			printk("VM %s: memory 0x%lx+0x%lx overlaps the hypervisor\n",
			       vm->name, r->hpa, r->size);
			return -EINVAL;
		}
		for (unsigned m = 0; m < bi->nr_mods; m++)
			if (ranges_overlap(r->hpa, r->size, bi->mods[m].start,
					   bi->mods[m].end - bi->mods[m].start)) {
				printk("VM %s: memory 0x%lx+0x%lx overlaps boot module '%s'\n",
				       vm->name, r->hpa, r->size, bi->mods[m].string);
				return -EINVAL;
			}
	}
	return 0;
}



static int vm_create(struct vm *vm, const struct vm_config *c, const struct boot_info *bi)
{
	int ret;

	vm->cfg = c;
	vm->name = c->name;
	vm->state = VM_CREATED;
	if (c->kind == VM_SERVICE)
		printk("VM %s: Service VM (%s memory); ACPI: bulkhead's tables of its CPUs and devices "
		       "(devices only the host firmware describes are NOT shown: docs/design.md)\n",
		       vm->name, (c->flags & VM_FLAG_IDENTITY_MEM) ? "identity-mapped" : "configured");
	ret = check_memory(vm, bi);
	if (ret)
		return ret;
	if (c->nr_mem > VM_MAX_RAM_RANGES)
		return -E2BIG;
	memcpy(vm->ram.r, c->mem, c->nr_mem * sizeof(vm->ram.r[0]));
	vm->ram.nr = c->nr_mem;
	ret = vm_build(vm, c->cpu_affinity);
	if (ret)
		return ret;
	ret = load_kernel(vm, bi);
	if (ret)
		vm_unbuild(vm);
	return ret;
}

/* Create every VM of the scenario; a VM that fails to build is reported and left out. */
int vm_create_all(const struct boot_info *bi)
{
	unsigned ok = 0;

	for (unsigned i = 0; i < scenario.nr_vms && i < CONFIG_MAX_VMS; i++) {
		struct vm *vm = &vms[nr_vms];
		int ret;

		if (scenario.vms[i].kind == VM_POST_LAUNCHED) {
			/* a template: the Service VM creates such VMs by hypercall */
			pr_info("VM %s: post-launched template (CPUs 0x%lx)\n", scenario.vms[i].name,
				scenario.vms[i].cpu_affinity);
			continue;
		}
		memset(vm, 0, sizeof(*vm));
		vm->id = nr_vms;
		ret = vm_create(vm, &scenario.vms[i], bi);
		if (ret) {
			/* what it got before the failure went back */
			printk("VM %s: not started (error %d)\n", scenario.vms[i].name, ret);
			continue;
		}
		if (vm->cfg->kind == VM_SERVICE)
			service_vm = vm;
		for (unsigned j = 0; j < vm->nr_vcpus; j++)
			vm->vcpus[j]->pcpu->vcpu = vm->vcpus[j];
		pr_info("VM %s: %u vCPU(s), %lu MiB, kernel '%s', entry 0x%lx\n", vm->name,
			vm->nr_vcpus, vm_ram_size(vm) >> 20, vm->cfg->kernel_tag, vm->boot.rip);
		vm->state = VM_RUNNING;
		nr_vms++;
		ok++;
	}
	return ok ? 0 : -ENOENT;
}
