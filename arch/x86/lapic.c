/* Physical LAPIC access, IPIs and TSC calibration against the PIT. */
#include "lib.h"
#include "lapic.h"
#include "x86.h"

#define XAPIC_BASE 0xFEE00000UL
#define APIC_ID 0x20
#define APIC_EOI 0xB0
#define APIC_SVR 0xF0
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_BASE_X2APIC BIT(10)
#define ICR_DELIVERY_PENDING BIT(12)

#define APIC_LVT_TIMER 0x320
#define LVT_TSC_DEADLINE (2 << 17)

u64 tsc_khz;
bool lapic_tsc_deadline;
static bool x2apic;

static u32 xapic_read(u32 reg) { return *(volatile u32 *)(XAPIC_BASE + reg); }
static void xapic_write(u32 reg, u32 v) { *(volatile u32 *)(XAPIC_BASE + reg) = v; }

void lapic_init(void)
{
	u32 a, b, c, d;

	cpuid_count(1, 0, &a, &b, &c, &d);
	lapic_tsc_deadline = c & BIT(24);
	x2apic = rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_X2APIC;
	if (x2apic) {
		wrmsr(0x80F, 0x100 | 0xFF);	/* SVR: enabled, spurious vector 0xFF */
		if (lapic_tsc_deadline)
			wrmsr(0x832, TIMER_VECTOR | LVT_TSC_DEADLINE);
	} else {
		xapic_write(APIC_SVR, 0x100 | 0xFF);
		if (lapic_tsc_deadline)
			xapic_write(APIC_LVT_TIMER, TIMER_VECTOR | LVT_TSC_DEADLINE);
	}
}

void lapic_arm_deadline(u64 tsc)
{
	wrmsr(MSR_IA32_TSC_DEADLINE, tsc);
}

u64 lapic_deadline(void)
{
	return rdmsr(MSR_IA32_TSC_DEADLINE);
}

u32 lapic_id(void)
{
	return x2apic ? (u32)rdmsr(0x802) : xapic_read(APIC_ID) >> 24;
}

void lapic_eoi(void)
{
	if (x2apic)
		wrmsr(0x80B, 0);
	else
		xapic_write(APIC_EOI, 0);
}

static void send_icr(u32 dest, u32 lo)
{
	if (x2apic) {
		/*
		 * The x2APIC ICR write is not serializing: without the fence the
		 * IPI may overtake our earlier stores, and a kicked CPU would look
		 * at flags (EPT flush, INIT, VM state) before they are visible.
		 * WRMSR is no memory access: LFENCE keeps it behind the MFENCE.
		 */
		asm volatile("mfence; lfence" ::: "memory");
		wrmsr(0x830, ((u64)dest << 32) | lo);
		return;
	}
	xapic_write(APIC_ICR_HI, dest << 24);
	xapic_write(APIC_ICR_LO, lo);
	while (xapic_read(APIC_ICR_LO) & ICR_DELIVERY_PENDING)
		cpu_relax();
}

void lapic_send_ipi(u32 apic_id, u8 vector)
{
	send_icr(apic_id, vector);
}

void lapic_send_nmi(u32 apic_id)
{
	send_icr(apic_id, 0x400);
}

void lapic_send_init(u32 apic_id)
{
	send_icr(apic_id, 0x4500);	/* INIT, level assert */
}

void lapic_send_sipi(u32 apic_id, u8 vector)
{
	send_icr(apic_id, 0x4600 | vector);
}

/* PIT channel 2 gated by port 0x61 counts down 10 ms at 1.193182 MHz. */
void tsc_calibrate(void)
{
	const u16 count = 11932;
	u64 t0, t1;
	u8 v;

	v = inb(0x61);
	outb(0x61, (v & ~0x02) | 0x01);
	outb(0x43, 0xB0);		/* channel 2, lobyte/hibyte, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	t0 = rdtsc();
	while (!(inb(0x61) & 0x20))
		cpu_relax();
	t1 = rdtsc();
	tsc_khz = (t1 - t0) / 10;
	if (!tsc_khz)
		tsc_khz = 1000000;
}

void udelay(u64 us)
{
	u64 end = rdtsc() + us * tsc_khz / 1000;

	while (rdtsc() < end)
		cpu_relax();
}
