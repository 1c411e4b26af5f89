/*
 * Host interrupt vectors: the one map of which vector range belongs to whom,
 * and the handlers the owners register. Every vector the hypervisor
 * programs into a device, an IOAPIC pin, a remapping unit or the LAPIC is
 * defined here, so two ranges can never overlap unnoticed.
 */
#ifndef BH_IRQ_H
#define BH_IRQ_H

#include "types.h"

#define IRQ_MSI_BASE		0x30	/* passthrough MSI/MSI-X: one vector per routed message */
#define IRQ_MSI_COUNT		0x80	/* shared out per VM (vm_config.msi_vectors); genconfig reads it */
#define IRQ_INTX_BASE		0xB0	/* passthrough INTx: vector = base + GSI */
#define IRQ_INTX_COUNT		24
#define CONSOLE_VECTOR		0xED	/* the hypervisor's UART: input and transmit-empty, to the BSP */
#define VTD_FAULT_VECTOR	0xEE	/* fault events of every remapping unit, to the BSP */
#define TIMER_VECTOR		0xEF	/* host TSC-deadline timer: next guest timer event */
#define KICK_VECTOR		0xF0	/* wakes a pCPU so its vCPU sees new events; no handler */

_Static_assert(IRQ_MSI_BASE >= 0x20, "vectors below 0x20 are exceptions");
_Static_assert(IRQ_MSI_BASE + IRQ_MSI_COUNT <= IRQ_INTX_BASE, "MSI and INTx vectors overlap");
_Static_assert(IRQ_INTX_BASE + IRQ_INTX_COUNT <= CONSOLE_VECTOR, "INTx and fixed vectors overlap");
_Static_assert(CONSOLE_VECTOR < VTD_FAULT_VECTOR && VTD_FAULT_VECTOR < TIMER_VECTOR && TIMER_VECTOR < KICK_VECTOR, "fixed vectors");

/* Who owns each range of the map: one handler each. */
enum irq_owner {
	IRQ_OWNER_MSI,		/* vmm/vm_vpci.c: MSI routes */
	IRQ_OWNER_INTX,		/* dm/ptirq.c */
	IRQ_OWNER_VTD_FAULT,	/* vtd/ */
	IRQ_OWNER_TIMER,	/* vmm/vcpu.c: guest timer events */
	IRQ_OWNER_CONSOLE,	/* vmm/shell.c: the hypervisor's UART */
	NR_IRQ_OWNERS,
	IRQ_OWNER_NONE = NR_IRQ_OWNERS,	/* kicks, and vectors nobody uses */
};

/* The commonest first: guest timer events and kicks come far more often than device interrupts. */
static inline enum irq_owner irq_owner_of(u8 vector)
{
	if (vector == TIMER_VECTOR)
		return IRQ_OWNER_TIMER;
	if (vector == KICK_VECTOR)
		return IRQ_OWNER_NONE;
	if ((u8)(vector - IRQ_MSI_BASE) < IRQ_MSI_COUNT)
		return IRQ_OWNER_MSI;
	if ((u8)(vector - IRQ_INTX_BASE) < IRQ_INTX_COUNT)
		return IRQ_OWNER_INTX;
	if (vector == VTD_FAULT_VECTOR)
		return IRQ_OWNER_VTD_FAULT;
	if (vector == CONSOLE_VECTOR)
		return IRQ_OWNER_CONSOLE;
	return IRQ_OWNER_NONE;
}

/* Called with interrupts off, on the CPU that took vector; the EOI follows it. */
typedef void (*irq_handler_t)(u8 vector);

/* The owner's handler for its whole range: -EBUSY, changing nothing, if it has one already. */
int irq_register(enum irq_owner owner, irq_handler_t fn);

/*
 * A host interrupt, taken on a VM exit (acknowledged on exit) or by a CPU
 * waiting in sti; hlt: its owner's handler (none: a kick, which only wakes), then EOI.
 */
void irq_dispatch(u8 vector);

#endif
