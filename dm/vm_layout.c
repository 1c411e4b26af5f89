/* A VM's device areas and the hypervisor's own ranges (include/vm_layout.h). Pure logic. */
#include "lib.h"
#include "vioapic.h"
#include "vlapic.h"
#include "vm_layout.h"

static const struct { u64 base, size; const char *what; } vm_areas[] = {
	{ VM_MMIO32_BASE, VM_ECAM_BASE - VM_MMIO32_BASE, "its PCI BAR window 0xc0000000-0xdfffffff" },
	{ VM_ECAM_BASE, (u64)(VM_ECAM_END_BUS + 1) << 20, "its virtual ECAM at 0xe0000000" },
	{ VIOAPIC_BASE, VIOAPIC_SIZE, "its virtual IOAPIC at 0xfec00000" },
	{ VLAPIC_BASE, VLAPIC_SIZE, "its virtual LAPIC at 0xfee00000" },
};

const char *vm_layout_device_at(u64 gpa, u64 size)
{
	for (unsigned i = 0; i < ARRAY_SIZE(vm_areas); i++)
		if (ranges_overlap(gpa, size, vm_areas[i].base, vm_areas[i].size))
			return vm_areas[i].what;
	return NULL;
}

const char *vm_layout_host_owned(const struct board_config *b, u64 hpa, u64 size)
{
	if (ranges_overlap(hpa, size, HOST_LAPIC_BASE, PAGE_SIZE))
		return "the host LAPIC page";
	if (!b)
		return NULL;
	for (unsigned i = 0; i < b->nr_ioapics; i++)
		if (ranges_overlap(hpa, size, b->ioapics[i].base, PAGE_SIZE))
			return "an IOAPIC's registers";
	for (unsigned i = 0; i < b->nr_iommus; i++)
		if (ranges_overlap(hpa, size, b->iommus[i].base, b->iommus[i].size ? b->iommus[i].size : PAGE_SIZE))
			return "a VT-d unit's registers";
	if (b->pci_ecam_base &&
	    ranges_overlap(hpa, size, b->pci_ecam_base + ((u64)b->pci_ecam_start_bus << 20),
			   ((u64)b->pci_ecam_end_bus - b->pci_ecam_start_bus + 1) << 20))
		return "the host ECAM window";
	return NULL;
}
