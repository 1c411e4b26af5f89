/* The physical local APIC of the running CPU (xAPIC or x2APIC mode). */
#ifndef BH_LAPIC_H
#define BH_LAPIC_H

#include "types.h"
#include "irq.h"

extern bool lapic_tsc_deadline;
void lapic_arm_deadline(u64 tsc);	/* 0 disarms */
u64 lapic_deadline(void);		/* armed deadline; 0 once it fired */

void lapic_init(void);
u32 lapic_id(void);
void lapic_eoi(void);
void lapic_send_ipi(u32 apic_id, u8 vector);
void lapic_send_init(u32 apic_id);
void lapic_send_nmi(u32 apic_id);
void lapic_send_sipi(u32 apic_id, u8 vector);
void udelay(u64 us);
extern u64 tsc_khz;
void tsc_calibrate(void);

#endif
