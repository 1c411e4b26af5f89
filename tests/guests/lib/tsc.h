/* TSC-based time: bounded waits and delays. */
#ifndef GUEST_TSC_H
#define GUEST_TSC_H

#include "gtypes.h"

/*
 * TSC frequency in kHz: CPUID 0x40000010 EAX when the hypervisor offers
 * it and it looks sane, else TSC_KHZ_FALLBACK (bare QEMU/Bochs).
 */
#define TSC_KHZ_FALLBACK 2000000u
u32 tsc_khz(void);
u64 tsc_ms(u32 ms);
void tsc_delay(u64 ticks);
void tsc_delay_us(u32 us);

/* Spin until *p >= target or timeout_ms pass; true if the target was reached. */
bool wait_for_count(const volatile u32 *p, u32 target, u32 timeout_ms);

#endif
