/* AP bring-up. The trampoline (trampoline.S) switches to 32-bit mode and calls ap_main. */
#include "smp.h"
#include "apic.h"
#include "idt.h"
#include "layout.h"
#include "percpu.h"
#include "tsc.h"
#include "x86.h"

#define SIPI_VECTOR (AP_TRAMPOLINE_ADDR >> 12)

extern const u8 ap_tramp_start[], ap_tramp_end[];

volatile u32 smp_ap_arrived;
volatile u32 smp_ap_mask;
static ap_entry_t volatile smp_ap_fn;

void smp_ap_idle(u32 apic_id)
{
	(void)apic_id;
	for (;;)
		irq_enable_and_halt();
}

void ap_main(u32 apic_id);
void ap_main(u32 apic_id)
{
	percpu_init(apic_id);
	idt_load();
	apic_init_cpu();
	__sync_fetch_and_or(&smp_ap_mask, BIT(apic_id));
	__sync_add_and_fetch(&smp_ap_arrived, 1);
	(smp_ap_fn ? smp_ap_fn : smp_ap_idle)(apic_id);
	cpu_halt_forever();
}

u32 smp_start_aps(u32 count, ap_entry_t fn, u32 timeout_ms)
{
	u8 *dst = (u8 *)AP_TRAMPOLINE_ADDR;

	if (count > GUEST_MAX_CPUS)
		count = GUEST_MAX_CPUS;
	if (count < 2)
		return 0;
	for (const u8 *s = ap_tramp_start; s < ap_tramp_end; s++)
		*dst++ = *s;
	smp_ap_fn = fn;
	__sync_synchronize();

	/* SDM MP init: INIT, 10 ms, SIPI, 200 us, SIPI (each to every AP). */
	for (u32 id = 1; id < count; id++)
		apic_send_ipi(id, APIC_ICR_INIT | APIC_ICR_ASSERT);
	tsc_delay_us(10000);
	for (int round = 0; round < 2; round++) {
		for (u32 id = 1; id < count; id++)
			apic_send_ipi(id, APIC_ICR_STARTUP | APIC_ICR_ASSERT | SIPI_VECTOR);
		tsc_delay_us(200);
	}
	wait_for_count(&smp_ap_arrived, count - 1, timeout_ms);
	return smp_ap_arrived;
}
