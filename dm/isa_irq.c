/*
 * The Service VM's legacy interrupt lines: those of the ISA devices it
 * owns, routed through ptirq at their own GSI as edge lines whose trigger
 * and polarity then follow its vIOAPIC (PTIRQ_ISA; its OS programs them as
 * its MADT and device descriptions say):
 * - the CMOS RTC's IRQ 8, when its ports are the VM's (rtc_pt.c);
 * - the IOAPIC inputs its HPET's timers can be routed to (Tn_INT_ROUTE_CAP)
 *   from GSI 16 on, when the HPET's registers are the VM's: what the OS
 *   writes into Tn_INT_ROUTE_CNF (Linux's /dev/hpet takes the first of these).
 * Not routed: GSIs 0-15 of ISA devices it does not own (the PIT on GSI 2,
 * the hypervisor's console UART, ...), hence not the HPET's legacy
 * replacement route of timer 0 (GSI 2; its timer 1 replaces the RTC on
 * GSI 8, which is routed). The hypervisor's console line, a line another
 * VM holds (a pre-launched VM's device) and one the VM's own PCI functions
 * use (their level route) are left as they are.
 */
#include "lib.h"
#include "irq.h"
#include "ptirq.h"
#include "vm.h"
#include "vm_unit.h"
#include "vmmio.h"

#define RTC_GSI			8
#define FIRST_PCI_GSI		16	/* below: ISA lines */
#define HPET_GCAP		0x000
#define HPET_GCAP_NUM_TIM(x)	((((x) >> 8) & 0x1f) + 1)
#define HPET_TN_ROUTE_CAP(n)	(0x104 + 0x20 * (n))	/* Tn_CONF bits 63:32 */

/* The GSIs the HPET's timers may be routed to, from its registers at [base, +size). */
static u32 hpet_route_gsis(u64 base, u64 size)
{
	u32 gcap = vmmio_hw_read32(base + HPET_GCAP), gsis = 0;

	if (gcap == 0xffffffffu || size < HPET_TN_ROUTE_CAP(0) + 4)
		return 0;		/* nothing answers, or no timer in its range */
	for (unsigned n = 0; n < HPET_GCAP_NUM_TIM(gcap); n++)
		if (HPET_TN_ROUTE_CAP(n) + 4 <= size)
			gsis |= vmmio_hw_read32(base + HPET_TN_ROUTE_CAP(n));
	return gsis;
}

static u32 hypervisor_line(void)
{
	const struct board_config *b = scenario.board_info;

	return b && b->console.type != BOARD_CONSOLE_NONE ? b->console.irq : ~0u;
}

static bool route(struct vm *vm, u32 gsi)
{
	if (gsi == hypervisor_line() || ptirq_intx_owner(gsi) == vm)
		return false;
	/* refused (another VM's line, no IOAPIC pin): said so, and the VM goes on without it */
	return ptirq_route_add(vm, gsi, gsi, PTIRQ_ISA) == 0;
}

static int isa_irq_init(struct vm *vm)
{
	const struct vm_config *c = vm->cfg;
	u32 routed = 0;

	if (vm_has_host_rtc(vm) && route(vm, RTC_GSI))
		routed |= BIT(RTC_GSI);
	for (unsigned i = 0; i < c->nr_mmio_devs; i++) {
		const struct vm_mmio_dev *m = &c->mmio_devs[i];
		u32 gsis;

		if (!m->dev || strcmp(m->dev->hid, "PNP0103") || m->hpa != m->dev->mmio[0].base)
			continue;	/* the HPET's register block, once */
		gsis = hpet_route_gsis(m->hpa, m->size);
		for (u32 gsi = FIRST_PCI_GSI; gsi < IRQ_INTX_COUNT; gsi++)
			if ((gsis & BIT(gsi)) && route(vm, gsi))
				routed |= BIT(gsi);
	}
	printk("VM %s: ISA lines (edge until its vIOAPIC says else): GSI mask 0x%x\n", vm->name,
	       routed);
	return 0;	/* a line the VM cannot have is not a reason to fail it */
}

/* Its lines go with the VM's other routes (ptirq_unit's release). */
const struct vm_unit isa_irq_unit = {
	.name = "ISA lines", .kinds = BIT(VM_SERVICE), .init = isa_irq_init,
};
