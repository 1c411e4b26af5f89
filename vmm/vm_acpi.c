/*
 * ACPI tables for a pre-launched VM, built at VM creation from its config
 * and placed at 0xE0000, where guests scan for the RSDP.
 */
#include "lib.h"
#include "e820.h"
#include "vacpi.h"
#include "vmm_internal.h"
#include "vm_unit.h"

#define HPET_MIN_TICK	0x80	/* main counter ticks between periodic interrupts, at least */

/* One DSDT device per board ACPI device the VM got, with its regions at the VM's GPAs. */
static unsigned collect_devices(const struct vm *vm, struct vacpi_mmio_dev *devs)
{
	const struct vm_config *c = vm->cfg;
	unsigned n = 0;

	for (unsigned i = 0; i < c->nr_mmio_devs; i++) {
		const struct vm_mmio_dev *m = &c->mmio_devs[i];
		struct vacpi_mmio_dev *d = NULL;

		if (!m->dev)
			continue;	/* a raw region has no ACPI identity */
		for (unsigned j = 0; j < n; j++)
			if (devs[j].hid == m->dev->hid && devs[j].uid == m->dev->uid)
				d = &devs[j];
		if (!d) {
			if (n == VACPI_MAX_DEVS)
				break;
			d = &devs[n++];
			memset(d, 0, sizeof(*d));
			d->hid = m->dev->hid;
			d->uid = m->dev->uid;
			/* an ACPI name has 4 characters; else the builder picks one */
			d->name = m->dev->name && strlen(m->dev->name) == 4 ? m->dev->name : NULL;
		}
		if (d->nr_mmio < VACPI_DEV_MAX_MMIO)
			d->mmio[d->nr_mmio++] = (struct vacpi_range){ m->gpa, m->size };
	}
	return n;
}

int vm_acpi_build(struct vm *vm, struct e820_map *map)
{
	struct vacpi_mmio_dev devs[VACPI_MAX_DEVS];
	struct vacpi_prt_entry prt[CONFIG_MAX_PCI_DEVS];
	struct vacpi_vm t;
	struct vacpi_layout lay;
	int size, ret;
	void *buf;

	vacpi_vm_defaults(&t, vm->nr_vcpus);
	/* the virtual PCI bus of vmm/vm_vpci.c, with INTx routes of passthrough devices */
	vm_vpci_windows(&t.pci.mmio32.base, &t.pci.mmio32.size, &t.pci.ecam_base);
	t.pci.bus_end = vm_vpci_end_bus(vm);
	t.pci.nr_prt = vm_vpci_prt(vm, prt, ARRAY_SIZE(prt));
	t.pci.prt = prt;
	t.rtc.present = vm_has_host_rtc(vm);
	/* its IRQ where dm/isa_irq.c routed the RTC's line to the VM (not a PCI function's) */
	if (t.rtc.present && ptirq_intx_owner(8) == vm && (ptirq_route_mode(8) & PTIRQ_FOLLOW_VRTE))
		t.rtc.irq = 8;
	/* an HPET table where its lines are the VM's (dm/isa_irq.c), so its OS uses it */
	t.hpet.present = isa_irq_hpet(vm, &t.hpet.base, &t.hpet.block_id);
	t.hpet.min_tick = HPET_MIN_TICK;
	t.nr_devs = collect_devices(vm, devs);
	t.devs = devs;
	size = vacpi_size(&t, VACPI_BIOS_GPA);
	if (size < 0)
		return size;
	if (VACPI_BIOS_GPA + (u64)size > VACPI_BIOS_END)
		return -ENOSPC;
	buf = vm_gpa_to_hva(vm, VACPI_BIOS_GPA, (u64)size);
	if (!buf) {
		printk("VM %s: no RAM at 0x%llx for its ACPI tables\n", vm->name, VACPI_BIOS_GPA);
		return -EFAULT;
	}
	ret = vacpi_build(&t, VACPI_BIOS_GPA, buf, (size_t)size, &lay);
	if (ret < 0)
		return ret;
	vm->acpi_rsdp = lay.rsdp;
	pr_debug("VM %s: ACPI tables at 0x%lx-0x%lx\n", vm->name, lay.rsdp, lay.end);
	/* the BIOS area stays out of the VM's usable RAM */
	return e820_add(map, VACPI_BIOS_GPA, VACPI_BIOS_END - VACPI_BIOS_GPA, E820_RESERVED);
}
