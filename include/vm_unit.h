/*
 * Device units: each kind of virtual device a VM can have describes, in
 * one struct, how it is built into a VM, reset with it and given back.
 * The VM manager (vmm/vm_build.c) runs them in one order for every VM
 * kind, and in reverse to undo.
 */
#ifndef BH_VM_UNIT_H
#define BH_VM_UNIT_H

#include "types.h"
#include "vm_config.h"

struct vm;

#define UNIT_BOOT_VMS	(BIT(VM_PRE_LAUNCHED) | BIT(VM_SERVICE))
#define UNIT_POST_VMS	BIT(VM_POST_LAUNCHED)
#define UNIT_ALL_VMS	(UNIT_BOOT_VMS | UNIT_POST_VMS)

struct vm_unit {
	const char *name;
	unsigned kinds;			/* BIT(enum vm_kind) of the VMs that have it */
	/* Build it into vm (vCPUs and interrupt controllers exist); on failure it leaves nothing. */
	int (*init)(struct vm *vm);
	/* A post-launched VM's reset: back to its power-on state, devices kept. */
	void (*reset)(struct vm *vm);
	/*
	 * Give back what it holds of the machine or of other VMs (interrupt
	 * lines, MMIO, PCI functions): a VM stopped, destroyed, or whose build
	 * failed after this unit. No vCPU of vm runs.
	 */
	void (*release)(struct vm *vm);
};

extern const struct vm_unit vmmio_unit, ioreq_unit, vuart_unit, vpm_unit, rtc_pt_unit, vpci_unit,
	ptirq_unit, isa_irq_unit, dma_protect_unit, vrtc_unit;

/* dm/rtc_pt.c: the VM has the host's RTC ports (the Service VM). */
bool vm_has_host_rtc(const struct vm *vm);
/*
 * dm/isa_irq.c: the VM's HPET, when its legacy replacement lines are routed
 * to it: its registers' GPA and its capabilities register (bits 31:0).
 */
bool isa_irq_hpet(const struct vm *vm, u64 *gpa, u32 *gcap);
/* dm/isa_irq.c: vm's MMIO [hpa, +size) went to another VM (away) or back: its HPET's lines too. */
void isa_irq_mmio_moved(struct vm *vm, u64 hpa, u64 size, bool away);

#endif
