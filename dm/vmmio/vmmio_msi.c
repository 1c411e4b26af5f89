/*
 * MMIO devices that send their own MSIs. An HPET timer with FSB delivery
 * writes the message its guest programmed straight to the interrupt window
 * (0xFEExxxxx): without interrupt remapping that reaches any CPU with any
 * vector, as a DMA-capable PCI device reaches any memory. Such a device goes
 * to a VM as include/dma_policy.h says, the one policy for PCI and MMIO
 * devices: only when VT-d remaps interrupts (compatibility-format messages
 * are then blocked) or when the VM is marked unprotected-dma.
 */
#include "lib.h"
#include "dma_policy.h"
#include "vm.h"
#include "vmmio.h"
#include "vtd.h"

#define HPET_GCAP		0x000	/* general capabilities and ID */
#define HPET_GCAP_NUM_TIM(x)	((((x) >> 8) & 0x1f) + 1)
#define HPET_TN_CONF(n)		(0x100 + 0x20 * (n))
#define HPET_TN_FSB_CAP		BIT(15)

/* Only the HPET is known to send MSIs of its own (FSB delivery). */
static bool is_hpet(const struct board_acpi_dev *dev)
{
	return dev && !strcmp(dev->hid, "PNP0103");
}

bool vmmio_dev_sends_msi(const struct board_acpi_dev *dev, u64 base, u64 size, vmmio_read32_fn rd)
{
	u32 gcap;

	if (!is_hpet(dev))
		return false;
	if (size < HPET_TN_CONF(0) + 4)
		return true;		/* no room for a timer: not an HPET we know, assume it can */
	gcap = rd(base + HPET_GCAP);
	if (gcap == 0xffffffffu)
		return true;		/* nothing answers: assume the worst */
	/* timers past the device's own range are not read (that may be someone else): assume */
	if (HPET_TN_CONF(HPET_GCAP_NUM_TIM(gcap) - 1) + 4 > size)
		return true;
	for (unsigned n = 0; n < HPET_GCAP_NUM_TIM(gcap); n++)
		if (rd(base + HPET_TN_CONF(n)) & HPET_TN_FSB_CAP)
			return true;
	return false;
}

static int check_one(const struct vm *vm, const struct board_acpi_dev *dev, u64 base, u64 size)
{
	char what[48];

	if (!vmmio_dev_sends_msi(dev, base, size, vmmio_hw_read32))
		return 0;
	snprintf(what, sizeof(what), "MMIO device %s", dev->hid);
	return dma_policy_check(vm->name, vm->cfg->flags, DEV_CAN_MSI, what);
}

/* Every board device with a range in what vm gets counts, named or not, sharing the page or not. */
int vmmio_msi_check(const struct vm *vm, u64 hpa, u64 size)
{
	const struct board_config *b = scenario.board_info;

	for (unsigned i = 0; b && i < b->nr_acpi_devs; i++) {
		const struct board_acpi_dev *dev = &b->acpi_devs[i];

		for (unsigned r = 0; r < dev->nr_mmio; r++)
			if (ranges_overlap(hpa, size, dev->mmio[r].base, dev->mmio[r].size) &&
			    check_one(vm, dev, dev->mmio[r].base, dev->mmio[r].size))
				return -EPERM;
	}
	return 0;
}
