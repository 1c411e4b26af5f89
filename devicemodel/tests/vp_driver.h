/*
 * The driver's side of bringing up a device on bulkhead-dm's virtio-pci
 * transport, for the device tests: BAR and decoding, MSI-X on with nvec
 * vectors (address 0xFEE00000, data 0x40 + n), ACKNOWLEDGE|DRIVER, the
 * device's features accepted (VERSION_1 included), FEATURES_OK, the config
 * vector, each queue laid out and enabled, DRIVER_OK. after() runs after
 * each queue and after DRIVER_OK (what a serving loop does after a request).
 */
#ifndef DM_TEST_VP_DRIVER_H
#define DM_TEST_VP_DRIVER_H

#include <stdint.h>

#include "pcicfg.h"
#include "virtio_pci.h"

#define VPD_NO_VECTOR	0xFFFF		/* leave the config vector as the device has it */

struct vpd_queue {
	uint64_t desc, avail, used;
	uint16_t vector;
};

static inline void vpd_wr(struct virtio_pci *vp, uint64_t bar, unsigned off, unsigned size, uint64_t v)
{
	virtio_pci_write(vp, bar + off, size, v);
}

static inline void vp_driver_attach(struct virtio_pci *vp, struct pcicfg *pci, unsigned slot, uint64_t bar,
				    unsigned nvec, uint16_t config_vector, uint16_t qsize, unsigned nq,
				    const struct vpd_queue *qs, void (*after)(void))
{
	pcicfg_write(pci, 0, slot, 0, 0x10, 4, (uint32_t)bar);
	pcicfg_write(pci, 0, slot, 0, 0x04, 2, 0x6);
	pcicfg_write(pci, 0, slot, 0, VP_CAP_MSIX + 2, 2, 0x8000);
	for (unsigned v = 0; v < nvec; v++) {
		vpd_wr(vp, bar, VP_MSIX_TABLE + 16 * v, 4, 0xFEE00000);
		vpd_wr(vp, bar, VP_MSIX_TABLE + 16 * v + 8, 4, 0x40 + v);
		vpd_wr(vp, bar, VP_MSIX_TABLE + 16 * v + 12, 4, 0);
	}
	vpd_wr(vp, bar, 0x14, 1, 3);
	vpd_wr(vp, bar, 0x08, 4, 0);
	vpd_wr(vp, bar, 0x0C, 4, (uint32_t)vp->features);
	vpd_wr(vp, bar, 0x08, 4, 1);
	vpd_wr(vp, bar, 0x0C, 4, 1);
	vpd_wr(vp, bar, 0x14, 1, 0xB);
	if (config_vector != VPD_NO_VECTOR)
		vpd_wr(vp, bar, 0x10, 2, config_vector);
	for (unsigned q = 0; q < nq; q++) {
		vpd_wr(vp, bar, 0x16, 2, q);
		vpd_wr(vp, bar, 0x18, 2, qsize);
		vpd_wr(vp, bar, 0x1A, 2, qs[q].vector);
		vpd_wr(vp, bar, 0x20, 8, qs[q].desc);
		vpd_wr(vp, bar, 0x28, 8, qs[q].avail);
		vpd_wr(vp, bar, 0x30, 8, qs[q].used);
		vpd_wr(vp, bar, 0x1C, 2, 1);
		if (after)
			after();
	}
	vpd_wr(vp, bar, 0x14, 1, 0xF);
	if (after)
		after();
}

#endif
