/* Which VMs own agents that may DMA around the caches (pure logic). */
#include "lib.h"
#include "vm.h"
#include "vmm_internal.h"

/* Whether anything of the VM's may DMA around the caches: devices it owns. */
bool vm_owns_dma_agents(const struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;

	/* the Service VM owns every device nobody else has */
	if (cfg->kind == VM_SERVICE || cfg->nr_pci_devs || cfg->nr_mmio_devs)
		return true;
	/* post-launched VMs: what ASSIGN_PCIDEV gave them since */
	for (unsigned i = 0; i < vm->vpci.nr_vdevs; i++)
		if (vm->vpci.vdev[i].ops && vm->vpci.vdev[i].pdev)
			return true;
	return false;
}
