/* The physical IOAPIC(s) of the board: routing GSIs of passthrough devices. */
#ifndef BH_IOAPIC_H
#define BH_IOAPIC_H

#include "types.h"

/* Route gsi to vector at physical APIC id dest (fixed, physical), masked or not. */
int ioapic_route(u32 gsi, u8 vector, u32 dest, bool level, bool active_low);
void ioapic_mask(u32 gsi, bool masked);

#endif
