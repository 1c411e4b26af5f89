/* LAPIC helpers: every access goes through apic_read/apic_write, which pick MMIO or MSR. */
#include "apic.h"
#include "idt.h"
#include "percpu.h"
#include "x86.h"

#define ICR_WAIT_SPINS 1000000

u32 apic_read(u32 reg)
{
	if (this_cpu()->x2apic)
		return (u32)rdmsr(X2APIC_MSR(reg));
	return mmio_read32(XAPIC_BASE + reg);
}

void apic_write(u32 reg, u32 val)
{
	if (this_cpu()->x2apic)
		wrmsr(X2APIC_MSR(reg), val);
	else
		mmio_write32(XAPIC_BASE + reg, val);
}

u32 apic_id(void)
{
	u32 id = apic_read(APIC_ID);

	return this_cpu()->x2apic ? id : id >> 24;
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

void apic_init_cpu(void)
{
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
}

bool apic_send_ipi(u32 dest, u32 icr_lo)
{
	if (this_cpu()->x2apic) {
		wrmsr(X2APIC_MSR(APIC_ICR_LO), ((u64)dest << 32) | icr_lo);
		return true;
	}
	mmio_write32(XAPIC_BASE + APIC_ICR_HI, dest << 24);
	mmio_write32(XAPIC_BASE + APIC_ICR_LO, icr_lo);
	for (u32 i = 0; i < ICR_WAIT_SPINS; i++) {
		if (!(mmio_read32(XAPIC_BASE + APIC_ICR_LO) & APIC_ICR_BUSY))
			return true;
		cpu_relax();
	}
	return false;
}

bool apic_x2apic_supported(void)
{
	return cpuid(1).ecx & CPUID1_ECX_X2APIC;
}

bool apic_enable_x2apic(void)
{
	u64 base;

	if (rdmsr_safe(MSR_IA32_APIC_BASE, &base) != NO_FAULT)
		return false;
	base |= APIC_BASE_ENABLE | APIC_BASE_X2APIC_ENABLE;
	if (wrmsr_safe(MSR_IA32_APIC_BASE, base) != NO_FAULT)
		return false;
	this_cpu()->x2apic = true;
	return true;
}

void apic_timer_start(u32 mode, u8 vector, u32 initial_count)
{
	apic_write(APIC_TIMER_DIV, APIC_TIMER_DIV_1);
	apic_write(APIC_LVT_TIMER, mode | vector);
	if (mode != APIC_TIMER_TSC_DEADLINE)
		apic_write(APIC_TIMER_INIT, initial_count);
}

void apic_timer_stop(void)
{
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_TIMER_INIT, 0); /* a zero initial count stops the counter */
}

u32 ioapic_read(u32 reg)
{
	mmio_write32(IOAPIC_BASE + IOAPIC_REGSEL, reg);
	return mmio_read32(IOAPIC_BASE + IOAPIC_WIN);
}

void ioapic_write(u32 reg, u32 val)
{
	mmio_write32(IOAPIC_BASE + IOAPIC_REGSEL, reg);
	mmio_write32(IOAPIC_BASE + IOAPIC_WIN, val);
}
