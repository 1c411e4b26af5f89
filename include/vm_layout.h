/*
 * Where a VM's own virtual devices sit in its guest-physical space, and what
 * host-physical ranges the hypervisor keeps (pure logic, dm/vm_layout.c).
 * genconfig refuses the same (scripts/bulkhead_config/checks.py); the
 * hypervisor checks again at boot in case a generated config was edited.
 */
#ifndef BH_VM_LAYOUT_H
#define BH_VM_LAYOUT_H

#include "types.h"
#include "vm_config.h"

#define VM_MMIO32_BASE	0xC0000000ULL	/* BAR window, up to the ECAM (as vmm/vm_vpci.c) */
#define VM_ECAM_BASE	0xE0000000ULL	/* as ACRN's pre-launched VMs; matches the vMCFG */
#define VM_ECAM_END_BUS	0		/* the virtual bus is bus 0 */
#define HOST_LAPIC_BASE	0xFEE00000ULL

/*
 * The VM device area (PCI BAR window, virtual ECAM, vIOAPIC, vLAPIC) that
 * [gpa, gpa + size) overlaps, by name, or NULL: no RAM may sit there. vACPI
 * (0xE0000-0xFFFFF) is not one: its tables are built in the VM's own RAM.
 */
const char *vm_layout_device_at(u64 gpa, u64 size);

/*
 * What the hypervisor owns of [hpa, hpa + size), by name, or NULL: the host
 * LAPIC page, the IOAPICs, the VT-d units' registers, the host ECAM window
 * of board @b (NULL: the LAPIC only).
 */
const char *vm_layout_host_owned(const struct board_config *b, u64 hpa, u64 size);

#endif
