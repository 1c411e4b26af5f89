/*
 * Interrupt line passthrough (dm/ptirq.c): a physical IOAPIC pin routed to
 * a host vector (IRQ_INTX_BASE + GSI) and delivered on a VM's vIOAPIC pin.
 * A route carries its trigger and polarity: PCI INTx (level, active low),
 * or an ISA line of the Service VM's (edge unless its vIOAPIC says else).
 */
#ifndef BH_PTIRQ_H
#define BH_PTIRQ_H

#include "types.h"

struct vm;

/* How a route's pin behaves (the physical RTE's trigger and polarity). */
#define PTIRQ_LEVEL		BIT(0)	/* else edge */
#define PTIRQ_ACTIVE_LOW	BIT(1)	/* else active high */
#define PTIRQ_FOLLOW_VRTE	BIT(2)	/* trigger/polarity follow the VM's vIOAPIC RTE of the pin */
#define PTIRQ_PCI_INTX		(PTIRQ_LEVEL | PTIRQ_ACTIVE_LOW)
#define PTIRQ_ISA		PTIRQ_FOLLOW_VRTE	/* edge, active high until the guest says */

/*
 * Edge storm limit: more than this many edges of one route within one
 * window masks its pin until the window is over (ptirq_poll). The RTC's
 * fastest periodic rate (8192 Hz) stays well under it.
 */
#define PTIRQ_EDGE_BURST	160
#define PTIRQ_EDGE_WINDOW_MS	10

int ptirq_init(void);			/* boot: take the INTx vectors */
/* Route gsi to vm's vIOAPIC pin vgsi, mode PTIRQ_*: -EBUSY if another VM holds it. */
int ptirq_route_add(struct vm *vm, u32 gsi, u32 vgsi, unsigned mode);
int ptirq_intx_add(struct vm *vm, u32 gsi, u32 vgsi);	/* PTIRQ_PCI_INTX */
/* The host vector fired at TSC now: false if it is not one of ptirq's. */
bool ptirq_intx_deliver(u8 vector, u64 now);
void ptirq_eoi(struct vm *vm, u8 vector);
/* vm's guest wrote its vIOAPIC: follow the RTEs of its PTIRQ_FOLLOW_VRTE routes. */
void ptirq_vrte_written(struct vm *vm);
/* Unmask pins whose storm window is over (each pCPU, before it enters a guest). */
void ptirq_poll(u64 now);
void ptirq_release(struct vm *vm);
void ptirq_route_del(struct vm *vm, u32 gsi);	/* vm's route of gsi, if it has it, goes */
void ptirq_reset(struct vm *vm);
/* Move gsi from VM from (its holder) to vm at vgsi: -EBUSY if another VM holds it. */
int ptirq_intx_move(u32 gsi, struct vm *from, struct vm *vm, u32 vgsi);
bool ptirq_intx_find(const struct vm *vm, u32 vgsi, bool pic, u32 *gsi);
struct vm *ptirq_intx_owner(u32 gsi);
/* The VM routed gsi (and its vIOAPIC line), or NULL: the shell's route list. */
struct vm *ptirq_intx_route(u32 gsi, u32 *vgsi);
unsigned ptirq_route_mode(u32 gsi);	/* PTIRQ_* of the route now (0: none, or edge high) */

#endif
