/* Local APIC (xAPIC MMIO or x2APIC MSRs, chosen per CPU) and IOAPIC access. */
#ifndef GUEST_APIC_H
#define GUEST_APIC_H

#include "gtypes.h"

#define XAPIC_BASE 0xFEE00000u
#define IOAPIC_BASE 0xFEC00000u

/* Register offsets in the xAPIC page; x2APIC MSR = 0x800 + (offset >> 4). */
#define APIC_ID 0x020
#define APIC_VERSION 0x030
#define APIC_TPR 0x080
#define APIC_EOI 0x0B0
#define APIC_SVR 0x0F0
#define APIC_ESR 0x280
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR 0x390
#define APIC_TIMER_DIV 0x3E0
#define APIC_SELF_IPI 0x3F0 /* x2APIC only */

#define X2APIC_MSR(reg) (0x800 + ((reg) >> 4))

#define APIC_BASE_X2APIC_ENABLE BIT(10)
#define APIC_BASE_ENABLE BIT(11)

#define APIC_SPURIOUS_VECTOR 0xFF
#define APIC_SVR_ENABLE BIT(8)
#define APIC_LVT_MASKED BIT(16)
#define APIC_TIMER_ONESHOT (0u << 17)
#define APIC_TIMER_PERIODIC (1u << 17)
#define APIC_TIMER_TSC_DEADLINE (2u << 17)
#define APIC_TIMER_DIV_1 0xB

#define APIC_ICR_FIXED (0u << 8)
#define APIC_ICR_INIT (5u << 8)
#define APIC_ICR_STARTUP (6u << 8)
#define APIC_ICR_BUSY BIT(12)
#define APIC_ICR_ASSERT BIT(14)

#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10
#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VERSION 0x01

u32 apic_read(u32 reg);
void apic_write(u32 reg, u32 val);
u32 apic_id(void);
void apic_eoi(void);
/* Software-enable the calling CPU's LAPIC, mask LINT0 (no ExtINT from a PIC) and the timer. */
void apic_init_cpu(void);
/* Fixed/INIT/SIPI to one physical destination; false if the ICR stays busy. */
bool apic_send_ipi(u32 dest, u32 icr_lo);
bool apic_x2apic_supported(void);
/* Switch the calling CPU to x2APIC mode; returns false if the MSR write faulted. */
bool apic_enable_x2apic(void);

void apic_timer_start(u32 mode, u8 vector, u32 initial_count);
void apic_timer_stop(void);

u32 ioapic_read(u32 reg);
void ioapic_write(u32 reg, u32 val);

#endif
