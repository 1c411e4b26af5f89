/*
 * ACPI tables for a pre-launched VM, built at VM creation from its config
 * and placed at 0xE0000, where guests scan for the RSDP.
 */
#include "lib.h"
#include "e820.h"
#include "vacpi.h"
#include "vm.h"

int vm_acpi_build(struct vm *vm, struct e820_map *map)
{
	struct vacpi_vm t;
	struct vacpi_layout lay;
	int size, ret;
	void *buf;

	vacpi_vm_defaults(&t, vm->nr_vcpus);
	/* no virtual PCI bus yet: no MCFG and no PCI root in the DSDT */
	t.pci.present = false;
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
