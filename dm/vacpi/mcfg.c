/* MCFG: one ECAM allocation, the VM's virtual config space window. */
#include "lib.h"
#include "vacpi.h"

void vacpi_build_mcfg(struct vacpi_out *o, const struct vacpi_vm *vm)
{
	size_t at = vacpi_sdt_begin(o, "MCFG", 1);

	vacpi_put64(o, 0);			/* reserved */
	vacpi_put64(o, vm->pci.ecam_base);	/* address of bus 0 */
	vacpi_put16(o, vm->pci.segment);
	vacpi_put8(o, vm->pci.bus_start);
	vacpi_put8(o, vm->pci.bus_end);
	vacpi_put32(o, 0);
	vacpi_sdt_end(o, at);
}
