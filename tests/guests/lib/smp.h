/* Starting APs: INIT-SIPI-SIPI into a real-mode trampoline at 0x8000. */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include "gtypes.h"

typedef void (*ap_entry_t)(u32 apic_id);

/* Set by each AP once it runs C code: a count and a mask of APIC ids. */
extern volatile u32 smp_ap_arrived;
extern volatile u32 smp_ap_mask;

/*
 * Start APs with APIC ids 1..count-1 (xAPIC ICR, BSP must be in xAPIC
 * mode). Each AP loads the IDT, enables its LAPIC, records its arrival
 * and calls fn (NULL: smp_ap_idle). Waits up to timeout_ms for all of
 * them; returns how many arrived.
 */
u32 smp_start_aps(u32 count, ap_entry_t fn, u32 timeout_ms);

/* Interrupts on, HLT forever: an AP that only answers IPIs. */
__noreturn void smp_ap_idle(u32 apic_id);

#endif
