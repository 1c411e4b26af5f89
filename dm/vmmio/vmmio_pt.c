/*
 * MMIO device passthrough for pre-launched VMs: the board regions the
 * scenario gives a VM are mapped uncached into its EPT (at the configured
 * GPA, 1:1 by default) and unmapped when the VM stops. The generator has
 * already refused overlaps between VMs; here we refuse what we cannot give
 * safely: interrupts of MMIO devices are not routed yet.
 */
#include "lib.h"
#include "ratelimit.h"
#include "vm_layout.h"
#include "vm.h"
#include "ept.h"
#include "vmmio.h"
#include "vm_unit.h"

static struct page_span span_of(const struct vm_mmio_dev *d)
{
	return vmmio_page_span(d->gpa, d->hpa, d->size);
}

static int check_region(const struct vm *vm, const struct vm_mmio_dev *d)
{
	const struct vm_config *c = vm->cfg;
	struct page_span p = span_of(d);
	const char *what;

	if (!d->size || ((d->gpa ^ d->hpa) & (PAGE_SIZE - 1))) {
		printk_ratelimited("VM %s: MMIO region 0x%lx+0x%lx cannot be mapped at GPA 0x%lx (page offset differs)\n",
		       vm->name, d->hpa, d->size, d->gpa);
		return -EINVAL;
	}
	what = vm_layout_host_owned(scenario.board_info, p.hpa, p.size);
	if (what) {
		printk_ratelimited("VM %s: MMIO region 0x%lx+0x%lx overlaps %s: the hypervisor owns it\n",
		       vm->name, p.hpa, p.size, what);
		return -EPERM;
	}
	what = vm_layout_device_at(p.gpa, p.size);
	if (what) {
		printk_ratelimited("VM %s: MMIO region at GPA 0x%lx overlaps %s\n", vm->name, p.gpa, what);
		return -EINVAL;
	}
	for (unsigned i = 0; i < c->nr_mem; i++)
		if (ranges_overlap(p.gpa, p.size, c->mem[i].gpa, c->mem[i].size)) {
			printk_ratelimited("VM %s: MMIO region at GPA 0x%lx overlaps its RAM\n", vm->name, d->gpa);
			return -EINVAL;
		}
	if (vm_find_mmio(vm, p.gpa, 1) || vm_find_mmio(vm, p.gpa + p.size - 1, 1)) {
		printk_ratelimited("VM %s: MMIO region at GPA 0x%lx overlaps an emulated device\n", vm->name, d->gpa);
		return -EINVAL;
	}
	if (vmmio_msi_check(vm, p.hpa, p.size))
		return -EPERM;
	if (d->dev && d->dev->nr_irqs) {
		printk_ratelimited("VM %s: MMIO device %s uses IRQ %u: interrupts of MMIO devices are not "
		       "passed through yet, device refused\n", vm->name, d->dev->hid, d->dev->irqs[0]);
		return -ENOTSUP;
	}
	return 0;
}

/* The first n regions unmapped: nothing of the VM reaches them any more. */
static void unmap_regions(struct vm *vm, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct page_span p = span_of(&vm->cfg->mmio_devs[i]);

		ept_unmap(vm, p.gpa, p.size);
	}
}

static int vmmio_passthrough_init(struct vm *vm)
{
	const struct vm_config *c = vm->cfg;
	int ret;

	for (unsigned i = 0; i < c->nr_mmio_devs; i++) {
		const struct vm_mmio_dev *d = &c->mmio_devs[i];

		struct page_span p = span_of(d);

		ret = check_region(vm, d);
		if (!ret)
			ret = ept_map(vm, p.gpa, p.hpa, p.size, EPT_R | EPT_W, EPT_MT_UC);
		if (ret) {
			unmap_regions(vm, i);	/* a unit that fails leaves nothing */
			return ret;
		}
		pr_info_ratelimited("VM %s: MMIO %s 0x%lx+0x%lx at GPA 0x%lx\n", vm->name,
			d->dev ? d->dev->hid : "region", d->hpa, d->size, d->gpa);
	}
	return 0;
}

/* A stopped VM gives its regions back. */
static void vmmio_passthrough_release(struct vm *vm)
{
	unmap_regions(vm, vm->cfg->nr_mmio_devs);
}

const struct vm_unit vmmio_unit = {
	.name = "MMIO passthrough", .kinds = UNIT_BOOT_VMS,
	.init = vmmio_passthrough_init, .release = vmmio_passthrough_release,
};
