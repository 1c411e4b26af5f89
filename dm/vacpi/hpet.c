/*
 * HPET (IA-PC HPET description table, Intel HPET spec 1.0a 3.2.4): where
 * the VM's HPET registers are and what its capabilities register says.
 * Only a VM whose HPET lines are routed to it gets one (its OS then uses
 * the HPET, legacy replacement included), so the MADT says IRQ 0 is GSI 2.
 */
#include "lib.h"
#include "vacpi.h"

#define GAS_MEMORY	0
#define HPET_PAGE_PROT4	1	/* no other register in its 4 KiB page */

void vacpi_build_hpet(struct vacpi_out *o, const struct vacpi_vm *vm)
{
	size_t at = vacpi_sdt_begin(o, "HPET", 1);

	vacpi_put32(o, vm->hpet.block_id);	/* its capabilities register, bits 31:0 */
	vacpi_put8(o, GAS_MEMORY);
	vacpi_put8(o, 64);			/* register bit width */
	vacpi_put8(o, 0);			/* bit offset */
	vacpi_put8(o, 0);			/* access size: undefined (legacy) */
	vacpi_put64(o, vm->hpet.base);
	vacpi_put8(o, 0);			/* HPET number */
	vacpi_put16(o, vm->hpet.min_tick);
	vacpi_put8(o, HPET_PAGE_PROT4);
	vacpi_sdt_end(o, at);
}
