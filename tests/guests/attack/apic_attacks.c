/*
 * Interrupts aimed outside this VM: fixed IPIs, NMIs, INIT and SIPI to APIC
 * ids that are not ours (the victim's vCPU must see none of them), hostile
 * vIOAPIC routes for the passed-through e1000's INTx, and a level-triggered
 * INTx storm. Our vCPUs have APIC ids 0 and 1.
 */
#include "attack.h"

#define IPI_VECTOR	0x70
#define INTX_VECTOR	0x71
#define FIRST_FOREIGN	2
#define LAST_FOREIGN	15
#define ICR_NMI		(4u << 8)
#define ICR_LOGICAL	BIT(11)
#define ICR_ALL_BUT_SELF (3u << 18)
#define RTE_LEVEL	BIT(15)
#define RTE_MASKED	BIT(16)
#define RTE_LOGICAL	BIT(11)
#define INTX_MAX	2000	/* the handler masks the line then: a storm leaves no time between interrupts */

static volatile u32 ipis_here, nmis_here, intx_here;

static void ipi_handler(u32 vector, struct isr_frame *f)
{
	(void)vector;
	(void)f;
	__sync_add_and_fetch(&ipis_here, 1);
}

static void settle(void)
{
	irq_enable();
	tsc_delay(tsc_ms(20));
	irq_disable();
}

void fixed_ipis(void)
{
	u32 stuck = 0, broadcast;

	irq_register(IPI_VECTOR, ipi_handler);
	ipis_here = 0;
	for (u32 id = FIRST_FOREIGN; id <= LAST_FOREIGN; id++)
		stuck += !apic_send_ipi(id, APIC_ICR_FIXED | IPI_VECTOR);
	settle();
	attack_result(ipis_here == 0 && !stuck, "ipi-fixed-foreign-apic-ids",
		      "fixed IPIs to APIC ids %u-%u: %u reached our vCPUs (want 0), %u stuck in the ICR",
		      FIRST_FOREIGN, LAST_FOREIGN, ipis_here, stuck);

	ipis_here = 0;
	apic_send_ipi(0xFF, APIC_ICR_FIXED | IPI_VECTOR);
	apic_send_ipi(0xFF, APIC_ICR_FIXED | ICR_LOGICAL | IPI_VECTOR);
	apic_send_ipi(0, APIC_ICR_FIXED | ICR_ALL_BUT_SELF | IPI_VECTOR);
	settle();
	broadcast = ipis_here;
	attack_result(broadcast <= 5, "ipi-broadcast-and-logical",
		      "physical 0xFF, logical 0xFF and all-but-self fixed IPIs: %u taken by our 2 vCPUs (at most 5)",
		      broadcast);
}

static void nmi_handler_fault(u32 vector, struct isr_frame *f)
{
	(void)vector;
	(void)f;
	nmis_here++;
}

void nmi_init_sipi(void)
{
	u32 stuck = 0;

	for (u32 id = FIRST_FOREIGN; id <= LAST_FOREIGN; id++)
		stuck += !apic_send_ipi(id, ICR_NMI);
	settle();
	attack_result(!stuck, "nmi-foreign-apic-ids", "NMIs to APIC ids %u-%u: %u stuck; the victim must see none",
		      FIRST_FOREIGN, LAST_FOREIGN, stuck);
	(void)nmi_handler_fault;

	stuck = 0;
	for (u32 id = FIRST_FOREIGN; id <= LAST_FOREIGN; id++) {
		stuck += !apic_send_ipi(id, APIC_ICR_INIT | APIC_ICR_ASSERT);
		stuck += !apic_send_ipi(id, APIC_ICR_STARTUP | APIC_ICR_ASSERT | 0x10);
	}
	settle();
	attack_result(!stuck, "init-sipi-foreign-apic-ids",
		      "INIT then SIPI (to 0x10000) to APIC ids %u-%u: %u stuck; no other VM may restart",
		      FIRST_FOREIGN, LAST_FOREIGN, stuck);
}

static void intx_handler(u32 vector, struct isr_frame *f)
{
	(void)vector;
	(void)f;
	/* the cause is left set: the level-triggered line fires again after each EOI */
	if (++intx_here >= INTX_MAX)
		ioapic_write(0x10 + 2 * INTX_GSI, RTE_MASKED);
}

static volatile u32 *e1000_regs(void)
{
	return (volatile u32 *)e1000_bar0();
}

/* Hostile routes for the e1000's INTx pin: SMI, NMI, INIT, ExtINT to nobody, vectors below 16. */
static void hostile_rtes(void)
{
	static const u32 lo[] = {
		(2u << 8) | RTE_LEVEL,			/* SMI */
		(4u << 8) | RTE_LEVEL,			/* NMI */
		(5u << 8) | RTE_LEVEL,			/* INIT */
		(7u << 8) | RTE_LEVEL,			/* ExtINT */
		0x03 | RTE_LEVEL,			/* fixed, vector 3 (illegal) */
		0x72 | (1u << 8) | RTE_LOGICAL | RTE_LEVEL,	/* lowest priority, logical 0xFF */
	};
	volatile u32 *r = e1000_regs();
	u32 pins = ioapic_read(1) >> 16 & 0xFF;

	for (u32 i = 0; i < ARRAY_SIZE(lo); i++) {
		(void)r[E1000_ICR / 4];
		ioapic_write(0x11 + 2 * INTX_GSI, (i == ARRAY_SIZE(lo) - 1 ? 0xFFu : 5u) << 24);
		ioapic_write(0x10 + 2 * INTX_GSI, lo[i]);
		r[E1000_IMS / 4] = 1;
		r[E1000_ICS / 4] = 1;
		tsc_delay(tsc_ms(10));
		r[E1000_IMC / 4] = ~0u;
		(void)r[E1000_ICR / 4];
		ioapic_write(0x10 + 2 * INTX_GSI, RTE_MASKED);
	}
	/* every other pin too, pointed at APIC id 5 (nobody) with NMI */
	for (u32 pin = 0; pin <= pins && pin < 24; pin++) {
		if (pin == INTX_GSI)
			continue;
		ioapic_write(0x11 + 2 * pin, 5u << 24);
		ioapic_write(0x10 + 2 * pin, (4u << 8));
		ioapic_write(0x10 + 2 * pin, RTE_MASKED);
	}
	attack_result(true, "ioapic-hostile-routes",
		      "the e1000's INTx fired through SMI, NMI, INIT, ExtINT, vector 3 and logical-broadcast routes;"
		      " %u pins set to NMI at APIC id 5", pins + 1);
}

static void intx_storm(void)
{
	volatile u32 *r = e1000_regs();
	u64 end;

	irq_register(INTX_VECTOR, intx_handler);
	intx_here = 0;
	(void)r[E1000_ICR / 4];
	ioapic_write(0x11 + 2 * INTX_GSI, 0);
	ioapic_write(0x10 + 2 * INTX_GSI, INTX_VECTOR | RTE_LEVEL);
	r[E1000_IMS / 4] = 1;
	r[E1000_ICS / 4] = 1;
	irq_enable();
	end = rdtsc() + tsc_ms(100);
	while (rdtsc() < end)
		cpu_relax();
	irq_disable();
	r[E1000_IMC / 4] = ~0u;
	(void)r[E1000_ICR / 4];
	ioapic_write(0x10 + 2 * INTX_GSI, RTE_MASKED);
	attack_result(intx_here > 0, "intx-level-storm",
		      "the e1000's level INTx left asserted, EOI each time, 100 ms or %u interrupts: %u", INTX_MAX,
		      intx_here);
}

/* Delivery modes a VM's LAPIC must not act on outside the VM: SMI, ExtINT, reserved ones. */
void lapic_hostile_modes(void)
{
	u32 stuck = 0;

	apic_write(APIC_LVT_LINT0, 7u << 8);		/* ExtINT, unmasked: no PIC behind it */
	apic_write(APIC_LVT_LINT1, 4u << 8);		/* NMI */
	apic_write(APIC_LVT_ERROR, (2u << 8) | 0x74);	/* SMI (reserved for this LVT) */
	stuck += !apic_send_ipi(apic_id(), 2u << 8);	/* SMI to ourselves */
	stuck += !apic_send_ipi(apic_id(), 3u << 8 | 0x75);	/* reserved delivery mode */
	stuck += !apic_send_ipi(0xFF, 2u << 8);		/* SMI to everyone */
	stuck += !apic_send_ipi(apic_id(), APIC_ICR_STARTUP | 0x10);	/* SIPI to a running CPU */
	settle();
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	apic_write(APIC_LVT_LINT1, APIC_LVT_MASKED);
	apic_write(APIC_LVT_ERROR, APIC_LVT_MASKED);
	attack_result(!stuck, "lapic-smi-extint-reserved-modes",
		      "LINT0 ExtINT, LINT1 NMI, LVT error SMI, ICR SMI to self and all, a reserved mode, "
		      "SIPI to ourselves: %u stuck; we and the victim run on", stuck);
}

/* x2APIC: 32-bit destinations, 0xFFFFFFFF broadcast, cluster ids of other VMs' CPUs. */
void x2apic_foreign_ipis(void)
{
	static const u32 dests[] = { 2, 3, 4, 0x10, 0xFF, 0x100, 0x10002, 0xFFFF0001, 0xFFFFFFFF };
	u32 before;

	if (!apic_x2apic_supported() || !apic_enable_x2apic()) {
		attack_result(false, "x2apic-foreign-ipis", "no x2APIC offered");
		return;
	}
	irq_register(IPI_VECTOR, ipi_handler);
	ipis_here = 0;
	for (u32 i = 0; i < ARRAY_SIZE(dests); i++) {
		apic_send_ipi(dests[i], APIC_ICR_FIXED | IPI_VECTOR);
		apic_send_ipi(dests[i], ICR_NMI);
		apic_send_ipi(dests[i], APIC_ICR_FIXED | ICR_LOGICAL | IPI_VECTOR);
	}
	settle();
	before = ipis_here;
	/* ours may take: the two broadcasts and logical 2-4 (cluster 0 holds our ids 0 and 1) */
	attack_result(before <= 8, "x2apic-foreign-ipis",
		      "x2APIC fixed, NMI and logical IPIs to ids 2-4, 0x10, 0xFF, 0x100, clusters and "
		      "0xFFFFFFFF: %u reached our vCPUs (at most 8 may)", before);
}

void apic_attacks(void)
{
	fixed_ipis();
	hostile_rtes();
	intx_storm();
	nmi_init_sipi();
	lapic_hostile_modes();
	x2apic_foreign_ipis();	/* leaves this vCPU in x2APIC mode */
}
