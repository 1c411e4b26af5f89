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
#define IRQ_MSI_COUNT		0x80
#define IRQ_INTX_BASE		0xB0	/* passthrough INTx: vector = base + GSI */
#define IRQ_INTX_COUNT		24
#define VTD_FAULT_VECTOR	0xEE	/* fault events of every remapping unit, to the BSP */
#define TIMER_VECTOR		0xEF	/* host TSC-deadline timer: next guest timer event */
#define KICK_VECTOR		0xF0	/* wakes a pCPU so its vCPU sees new events */

_Static_assert(IRQ_MSI_BASE >= 0x20, "vectors below 0x20 are exceptions");
_Static_assert(IRQ_MSI_BASE + IRQ_MSI_COUNT <= IRQ_INTX_BASE, "MSI and INTx vectors overlap");
_Static_assert(IRQ_INTX_BASE + IRQ_INTX_COUNT <= VTD_FAULT_VECTOR, "INTx and fixed vectors overlap");
_Static_assert(VTD_FAULT_VECTOR < TIMER_VECTOR && TIMER_VECTOR < KICK_VECTOR, "fixed vectors");

/* Called with interrupts off, on the CPU that took vector; the EOI follows it. */
typedef void (*irq_handler_t)(u8 vector);

/* Own [first, first + count): -EBUSY, changing nothing, if a vector there has a handler. */
int irq_register(u8 first, unsigned count, irq_handler_t fn);

/*
 * A host interrupt, taken on a VM exit (acknowledged on exit) or by a CPU
 * waiting in sti; hlt: its handler (none: a kick, which only wakes), then EOI.
 */
void irq_dispatch(u8 vector);

#endif
