/*
 * MMIO devices that send their own MSIs. An HPET timer with FSB delivery
 * writes the message its guest programmed straight to the interrupt window
 * (0xFEExxxxx): without interrupt remapping that reaches any CPU with any
 * vector, as a DMA-capable PCI device reaches any memory. Such a device goes
 * to a VM only when VT-d remaps interrupts (compatibility-format messages
 * are then blocked) or when the VM is marked unprotected-dma, the same trust
 * a DMA-capable device needs without VT-d.
 */
#include "lib.h"
#include "mm.h"
#include "vm.h"
#include "vmmio.h"
#include "vtd.h"

#define HPET_GCAP		0x000	/* general capabilities and ID */
#define HPET_GCAP_NUM_TIM(x)	((((x) >> 8) & 0x1f) + 1)
#define HPET_TN_CONF(n)		(0x100 + 0x20 * (n))
#define HPET_TN_FSB_CAP		BIT(15)

bool vmmio_dev_sends_msi(const struct board_acpi_dev *dev, u64 hpa, vmmio_read32_fn rd)
{
	u32 gcap;

	if (!dev || strcmp(dev->hid, "PNP0103"))
		return false;		/* only the HPET is known to (its FSB delivery) */
	/* at most 32 timers: the reads stay inside the page EPT maps for it */
	gcap = rd(hpa + HPET_GCAP);
	if (gcap == 0xffffffffu)
		return true;		/* nothing answers: assume the worst */
	for (unsigned n = 0; n < HPET_GCAP_NUM_TIM(gcap); n++)
		if (rd(hpa + HPET_TN_CONF(n)) & HPET_TN_FSB_CAP)
			return true;
	return false;
}

static u32 phys_read32(u64 hpa)
{
	return *(volatile u32 *)phys_to_virt(hpa);
}

int vmmio_msi_check(const struct vm *vm, const struct board_acpi_dev *dev, u64 hpa)
{
	if (!vmmio_dev_sends_msi(dev, hpa, phys_read32) || vtd_ir_active())
		return 0;
	if (vm->cfg->flags & VM_FLAG_UNPROTECTED_DMA) {
		printk("WARNING: VM %s: MMIO device %s can send MSIs and interrupts are not remapped "
		       "(the scenario allows unprotected DMA)\n", vm->name, dev->hid);
		return 0;
	}
	printk("VM %s: MMIO device %s refused: it can send MSIs and there is no interrupt "
	       "remapping (mark the VM unprotected-dma in the scenario to allow it)\n",
	       vm->name, dev->hid);
	return -EPERM;
}
