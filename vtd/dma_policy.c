/* What a VM may be given by what the device can write (include/dma_policy.h). */
#include "lib.h"
#include "dma_policy.h"
#include "vm_config.h"
#include "vtd.h"

enum dma_verdict dma_policy(unsigned caps, bool dma_remap, bool intr_remap, bool unprotected_ok)
{
	/* a bus master can write the interrupt window too: DMA implies MSI */
	bool need_dma = caps & DEV_CAN_DMA, need_ir = caps & (DEV_CAN_DMA | DEV_CAN_MSI);

	if ((!need_dma || dma_remap) && (!need_ir || intr_remap))
		return DMA_ALLOWED;
	if (unprotected_ok)
		return DMA_ALLOWED_UNPROTECTED;
	return need_dma && !dma_remap ? DMA_REFUSED_NO_VTD : DMA_REFUSED_NO_IR;
}

int dma_policy_check(const char *vm, u32 vm_flags, unsigned caps, const char *what)
{
	bool dma_remap = vtd_active(), intr_remap = vtd_ir_active();
	const char *can = caps & DEV_CAN_DMA ? "do DMA" : "send MSIs";

	switch (dma_policy(caps, dma_remap, intr_remap, vm_flags & VM_FLAG_UNPROTECTED_DMA)) {
	case DMA_ALLOWED:
		return 0;
	case DMA_ALLOWED_UNPROTECTED:
		if ((caps & DEV_CAN_DMA) && !dma_remap)
			printk("WARNING: VM %s: %s passed through WITHOUT DMA protection: it can do DMA "
			       "and there is no VT-d (the scenario allows unprotected DMA)\n", vm, what);
		else
			printk("WARNING: VM %s: %s passed through WITHOUT interrupt remapping: it can %s "
			       "and its writes to 0xFEExxxxx are MSIs to any CPU (the scenario allows "
			       "unprotected DMA)\n", vm, what, can);
		return 0;
	case DMA_REFUSED_NO_VTD:
		printk("VM %s: %s refused: it can do DMA and there is no VT-d "
		       "(mark the VM unprotected-dma in the scenario to allow it)\n", vm, what);
		return -EPERM;
	case DMA_REFUSED_NO_IR:
	default:
		printk("VM %s: %s refused: it can %s and there is no interrupt remapping, so its "
		       "writes to 0xFEExxxxx would be MSIs to any CPU (mark the VM unprotected-dma "
		       "in the scenario to allow it)\n", vm, what, can);
		return -EPERM;
	}
}
