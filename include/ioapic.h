/* The physical IOAPIC(s) of the board: the pins of passthrough devices' GSIs. */
#ifndef BH_IOAPIC_H
#define BH_IOAPIC_H

#include "types.h"

/* The id of the IOAPIC that has gsi (its DMAR source id with VT-d), or -ENODEV. */
int ioapic_gsi_id(u32 gsi, u8 *ioapic_id);

/* Compatibility-format RTE: fixed delivery to physical APIC id dest, unmasked. */
static inline u64 ioapic_rte(u8 vector, u32 dest, bool level, bool active_low)
{
	return vector | (level ? BIT(15) : 0) | (active_low ? BIT(13) : 0) | ((u64)dest << 56);
}

/* Program gsi's RTE (masked while both halves change), or -ENODEV. */
int ioapic_write_rte(u32 gsi, u64 rte);
void ioapic_mask(u32 gsi, bool masked);

#endif
