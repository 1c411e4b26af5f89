/*
 * Which devices a VM may be given, by what they can do on their own past the
 * CPU: one policy for PCI functions (bus-master DMA) and MMIO devices that
 * send their own MSIs (an HPET with FSB delivery), applied at boot (the DMA
 * protection and MMIO passthrough units) and when the Service VM assigns a
 * device to a post-launched VM.
 *
 * A device write to 0xFEExxxxx is an interrupt message, not memory: DMA
 * remapping does not stop it, and without interrupt remapping it is an MSI
 * with any vector to any CPU, the other VMs' included. So:
 *   - a DMA-capable device needs DMA remapping AND interrupt remapping;
 *   - a device that only sends MSIs needs interrupt remapping;
 *   - otherwise only a VM the scenario marks unprotected-dma gets it, with a
 *     WARNING at every assignment.
 * The Service VM is held to the same rule (its devices reach the pre-launched
 * VMs' CPUs as well as anyone's); a scenario that accepts the risk marks it
 * unprotected-dma, as it must without VT-d already.
 */
#ifndef BH_DMA_POLICY_H
#define BH_DMA_POLICY_H

#include "types.h"

#define DEV_CAN_DMA	BIT(0)	/* bus-master DMA: any address, 0xFEExxxxx included */
#define DEV_CAN_MSI	BIT(1)	/* writes its own interrupt messages */

enum dma_verdict {
	DMA_ALLOWED,			/* every write it can make is remapped */
	DMA_ALLOWED_UNPROTECTED,	/* not so, but the VM is marked unprotected-dma */
	DMA_REFUSED_NO_VTD,		/* it can do DMA and there is no DMA remapping */
	DMA_REFUSED_NO_IR,		/* it can write MSIs and there is no interrupt remapping */
};

/* Pure: the verdict for a device that can do @caps on a platform with @dma_remap and @intr_remap. */
enum dma_verdict dma_policy(unsigned caps, bool dma_remap, bool intr_remap, bool unprotected_ok);

/*
 * The policy for the VM named @vm with scenario flags @vm_flags on this
 * machine (vtd_active(), vtd_ir_active()): 0, with a WARNING line when only
 * unprotected-dma allows it; -EPERM with a line naming @what ("PCI 00:03.0",
 * "MMIO device PNP0103") and the reason.
 */
int dma_policy_check(const char *vm, u32 vm_flags, unsigned caps, const char *what);

#endif
