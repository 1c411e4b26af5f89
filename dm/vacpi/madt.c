/*
 * MADT: one enabled Local APIC per vCPU (processor UID = LAPIC id = vCPU
 * index), the vIOAPIC, the SCI's interrupt source override (and IRQ 0's,
 * with an HPET), and LINT1 of every LAPIC as NMI. PCAT_COMPAT stays clear:
 * the VM has no 8259 PICs.
 */
#include "lib.h"
#include "vacpi.h"

#define MADT_LAPIC		0
#define MADT_IOAPIC		1
#define MADT_INT_OVERRIDE	2
#define MADT_LAPIC_NMI		4
#define MADT_LAPIC_ENABLED	BIT(0)
#define MADT_NMI_ALL_CPUS	0xFF
/* MPS INTI flags: polarity in 1:0, trigger mode in 3:2 (01 high/edge, 11 low/level) */
#define MADT_NMI_FLAGS		0x0005	/* active high, edge */
#define MADT_SCI_FLAGS		0x000D	/* active high, level */
#define MADT_ISA_FLAGS		0x0000	/* conforms to the bus: ISA, edge, active high */

void vacpi_build_madt(struct vacpi_out *o, const struct vacpi_vm *vm)
{
	size_t at = vacpi_sdt_begin(o, "APIC", 5);

	vacpi_put32(o, (u32)vm->lapic_addr);
	vacpi_put32(o, 0);			/* flags: no PCAT_COMPAT */
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		vacpi_put8(o, MADT_LAPIC);
		vacpi_put8(o, 8);
		vacpi_put8(o, (u8)i);		/* ACPI processor UID */
		vacpi_put8(o, (u8)i);		/* APIC id */
		vacpi_put32(o, MADT_LAPIC_ENABLED);
	}
	vacpi_put8(o, MADT_IOAPIC);
	vacpi_put8(o, 12);
	vacpi_put8(o, vm->ioapic.id);
	vacpi_put8(o, 0);
	vacpi_put32(o, vm->ioapic.addr);
	vacpi_put32(o, vm->ioapic.gsi_base);

	/*
	 * Without it Linux makes the SCI level, active low; say active high so
	 * the never-raised line reads idle however the vIOAPIC treats polarity.
	 */
	vacpi_put8(o, MADT_INT_OVERRIDE);
	vacpi_put8(o, 10);
	vacpi_put8(o, 0);			/* ISA */
	vacpi_put8(o, (u8)vm->pm.sci_irq);
	vacpi_put32(o, vm->pm.sci_irq);		/* GSI: identity */
	vacpi_put16(o, MADT_SCI_FLAGS);

	/* the HPET's legacy replacement route: timer 0 interrupts on GSI 2, as on a PC */
	if (vm->hpet.present) {
		vacpi_put8(o, MADT_INT_OVERRIDE);
		vacpi_put8(o, 10);
		vacpi_put8(o, 0);		/* ISA */
		vacpi_put8(o, 0);		/* IRQ 0 */
		vacpi_put32(o, 2);		/* GSI 2 */
		vacpi_put16(o, MADT_ISA_FLAGS);
	}

	vacpi_put8(o, MADT_LAPIC_NMI);
	vacpi_put8(o, 6);
	vacpi_put8(o, MADT_NMI_ALL_CPUS);
	vacpi_put16(o, MADT_NMI_FLAGS);
	vacpi_put8(o, 1);			/* LINT1 */
	vacpi_sdt_end(o, at);
}
