/*
 * The Service VM's legacy interrupt lines: those of the ISA devices it
 * owns, routed through ptirq at their own GSI as edge lines whose trigger,
 * polarity and mask then follow its vIOAPIC (PTIRQ_ISA; its OS programs
 * them as its MADT and device descriptions say):
 * - the CMOS RTC's IRQ 8, when its ports are the VM's (rtc_pt.c);
 * - its HPET's, when the HPET's registers are the VM's: the legacy
 *   replacement routes (timer 0 on GSI 2, timer 1 on GSI 8) when the HPET
 *   has them, and the IOAPIC inputs its timers can be routed to
 *   (Tn_INT_ROUTE_CAP) from GSI 16 on, which an OS writes into
 *   Tn_INT_ROUTE_CNF (Linux's /dev/hpet takes the first free one).
 * Its vACPI then describes them: IRQ 8 in the RTC's _CRS, an HPET table
 * and IRQ 0 -> GSI 2 in the MADT (vmm/vm_acpi.c asks isa_irq_hpet()).
 * While its HPET is assigned to a post-launched VM, the HPET's lines are
 * nobody's (a guest's HPET cannot interrupt the Service VM; the RTC's GSI 8
 * stays), and they come back with it (isa_irq_mmio_moved).
 * Not routed: the other ISA GSIs (devices it does not own: the PIT, whose
 * ticks GSI 2 also carries until legacy replacement is on, reach it only
 * while it has unmasked pin 2), the hypervisor's console line, a line
 * another VM holds (a pre-launched VM's device), and one its own PCI
 * functions use (their level route stays).
 */
#include "lib.h"
#include "irq.h"
#include "ptirq.h"
#include "vm.h"
#include "vm_unit.h"
#include "vmmio.h"

#define PIT_GSI			2	/* HPET timer 0 in legacy replacement mode */
#define RTC_GSI			8	/* HPET timer 1 in legacy replacement mode */
#define FIRST_PCI_GSI		16	/* below: ISA lines */
#define HPET_GCAP		0x000
#define HPET_GCAP_LEG_RT	BIT(15)
#define HPET_GCAP_NUM_TIM(x)	((((x) >> 8) & 0x1f) + 1)
#define HPET_TN_ROUTE_CAP(n)	(0x104 + 0x20 * (n))	/* Tn_CONF bits 63:32 */

/* The HPET's register block among the VM's devices (its first range), or NULL. */
static const struct vm_mmio_dev *vm_hpet(const struct vm *vm)
{
	const struct vm_config *c = vm->cfg;

	for (unsigned i = 0; i < c->nr_mmio_devs; i++) {
		const struct vm_mmio_dev *m = &c->mmio_devs[i];

		if (m->dev && !strcmp(m->dev->hid, "PNP0103") && m->dev->nr_mmio &&
		    m->hpa == m->dev->mmio[0].base)
			return m;
	}
	return NULL;
}

/* The GSIs the HPET's interrupts may reach, from its registers at [base, +size). */
static u32 hpet_gsis(u64 base, u64 size)
{
	u32 gcap = vmmio_hw_read32(base + HPET_GCAP), gsis = 0;

	if (gcap == 0xffffffffu || size < HPET_TN_ROUTE_CAP(0) + 4)
		return 0;		/* nothing answers, or no timer in its range */
	if (gcap & HPET_GCAP_LEG_RT)
		gsis |= BIT(PIT_GSI) | BIT(RTC_GSI);
	for (unsigned n = 0; n < HPET_GCAP_NUM_TIM(gcap); n++)
		if (HPET_TN_ROUTE_CAP(n) + 4 <= size)
			gsis |= vmmio_hw_read32(base + HPET_TN_ROUTE_CAP(n)) & ~0xffffu;
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
	const struct vm_mmio_dev *hpet = vm_hpet(vm);
	u32 want = 0, routed = 0;

	if (vm_has_host_rtc(vm))
		want |= BIT(RTC_GSI);
	if (hpet)
		want |= hpet_gsis(hpet->hpa, hpet->size);
	for (u32 gsi = 0; gsi < IRQ_INTX_COUNT; gsi++)
		if ((want & BIT(gsi)) && route(vm, gsi))
			routed |= BIT(gsi);
	printk("VM %s: ISA lines (edge until its vIOAPIC says else): GSI mask 0x%x\n", vm->name,
	       routed);
	return 0;	/* a line the VM cannot have is not a reason to fail it */
}

void isa_irq_mmio_moved(struct vm *vm, u64 hpa, u64 size, bool away)
{
	const struct vm_mmio_dev *hpet = vm_hpet(vm);
	u32 gsis;

	if (!hpet || !ranges_overlap(hpa, size, hpet->hpa, hpet->size))
		return;
	gsis = hpet_gsis(hpet->hpa, hpet->size);
	if (vm_has_host_rtc(vm))
		gsis &= ~BIT(RTC_GSI);		/* the RTC's, which the VM keeps */
	for (u32 gsi = 0; gsi < IRQ_INTX_COUNT; gsi++) {
		if (!(gsis & BIT(gsi)))
			continue;
		if (!away)
			route(vm, gsi);
		else if (ptirq_route_mode(gsi) & PTIRQ_FOLLOW_VRTE)
			ptirq_route_del(vm, gsi);	/* its own, not a PCI function's */
	}
	printk("VM %s: its HPET's lines %s\n", vm->name, away ? "taken away with it" : "back");
}

bool isa_irq_hpet(const struct vm *vm, u64 *gpa, u32 *gcap)
{
	const struct vm_mmio_dev *hpet = vm_hpet(vm);

	if (!hpet || ptirq_intx_owner(PIT_GSI) != vm ||
	    !(ptirq_route_mode(PIT_GSI) & PTIRQ_FOLLOW_VRTE))
		return false;
	*gpa = hpet->gpa;
	*gcap = vmmio_hw_read32(hpet->hpa + HPET_GCAP);
	return true;
}

/* Its lines go with the VM's other routes (ptirq_unit's release). */
const struct vm_unit isa_irq_unit = {
	.name = "ISA lines", .kinds = BIT(VM_SERVICE), .init = isa_irq_init,
};
