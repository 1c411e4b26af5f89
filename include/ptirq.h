/*
 * INTx passthrough (dm/ptirq.c): a device's physical IOAPIC pin routed to a
 * host vector (IRQ_INTX_BASE + GSI) and delivered on a VM's vIOAPIC line.
 */
#ifndef BH_PTIRQ_H
#define BH_PTIRQ_H

#include "types.h"

struct vm;

int ptirq_init(void);			/* boot: take the INTx vectors */
int ptirq_intx_add(struct vm *vm, u32 gsi, u32 vgsi);
bool ptirq_intx_deliver(u8 vector);	/* false: not an INTx vector */
void ptirq_eoi(struct vm *vm, u8 vector);
void ptirq_release(struct vm *vm);
void ptirq_reset(struct vm *vm);
/* Move gsi from VM from (its holder) to vm at vgsi: -EBUSY if another VM holds it. */
int ptirq_intx_move(u32 gsi, struct vm *from, struct vm *vm, u32 vgsi);
bool ptirq_intx_find(const struct vm *vm, u32 vgsi, bool pic, u32 *gsi);
struct vm *ptirq_intx_owner(u32 gsi);
/* The VM routed gsi (and its vIOAPIC line), or NULL: the shell's route list. */
struct vm *ptirq_intx_route(u32 gsi, u32 *vgsi);

#endif
