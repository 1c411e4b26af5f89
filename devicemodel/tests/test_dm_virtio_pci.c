/*
 * The modern virtio PCI transport as a driver sees it: config space and its
 * capabilities, the BAR, feature negotiation, queue setup, kicks, MSI-X
 * (masking and the PBA), reset, and a guest that breaks its device.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dm_log.h"
#include "virtio_pci.h"

#define SLOT	3
#define BAR	0xC0000000ULL
#define RAM	(1u << 20)
#define DESC	0x1000u
#define AVAIL	0x3000u
#define USED	0x4000u

static struct pcicfg pci;
static struct gmem mem;
static struct virtio_pci vp;
static unsigned processed[2], resets, nmsi, log_lines;
static uint64_t msi_addr;
static uint32_t msi_data;

static void process(struct virtio_pci *v, unsigned q)
{
	(void)v;
	processed[q]++;
}

static void dev_reset(struct virtio_pci *v)
{
	(void)v;
	resets++;
}

static const struct virtio_pci_desc desc = {
	.kind = "virtio-test", .device_id = 2, .class_code = 0x018000, .nqueues = 2,
	.queue_max = 64, .features = 1ULL << 9, .cfg_len = 8, .process = process, .reset = dev_reset,
};

static int inject(void *ctx, uint64_t addr, uint32_t data)
{
	(void)ctx;
	nmsi++;
	msi_addr = addr;
	msi_data = data;
	return 0;
}

static void sink(const char *line) { (void)line; log_lines++; }

static uint32_t cfg_rd(unsigned reg, unsigned size) { return pcicfg_read(&pci, 0, SLOT, 0, reg, size); }
static void cfg_wr(unsigned reg, unsigned size, uint32_t v) { pcicfg_write(&pci, 0, SLOT, 0, reg, size, v); }
static uint64_t rd(unsigned off, unsigned size) { return virtio_pci_read(&vp, BAR + off, size); }
static void wr(unsigned off, unsigned size, uint64_t v) { virtio_pci_write(&vp, BAR + off, size, v); }

static int setup(void **state)
{
	(void)state;
	pcicfg_init(&pci);
	if (!mem.base)
		mem = (struct gmem){ calloc(1, RAM), RAM };
	memset(mem.base, 0, RAM);
	memset(&vp, 0, sizeof(vp));
	memset(processed, 0, sizeof(processed));
	resets = nmsi = log_lines = 0;
	dm_log_set_sink(sink);
	assert_int_equal(virtio_pci_init(&vp, &desc, NULL, &pci, SLOT, 0, &mem, inject, NULL), 0);
	cfg_wr(0x10, 4, (uint32_t)BAR);
	cfg_wr(0x04, 2, 0x6);			/* memory decoding, bus master */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(mem.base);
	mem.base = NULL;
	dm_log_set_sink(NULL);
	return 0;
}

/* Driver steps: features, one queue at DESC/AVAIL/USED, DRIVER_OK. */
static void driver_setup(uint64_t features, uint16_t size)
{
	wr(0x14, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(0x08, 4, 0);
	wr(0x0C, 4, (uint32_t)features);
	wr(0x08, 4, 1);
	wr(0x0C, 4, (uint32_t)(features >> 32));
	wr(0x14, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	assert_true(rd(0x14, 1) & VIRTIO_STATUS_FEATURES_OK);
	wr(0x16, 2, 0);
	wr(0x18, 2, size);
	wr(0x20, 8, DESC);
	wr(0x28, 4, AVAIL);			/* split in two dwords, as Linux writes them */
	wr(0x2C, 4, 0);
	wr(0x30, 4, USED);
	wr(0x34, 4, 0);
	wr(0x1C, 2, 1);
}

static void driver_ok(void)
{
	wr(0x14, 1, rd(0x14, 1) | VIRTIO_STATUS_DRIVER_OK);
}

static void test_config_space(void **state)
{
	static const uint8_t want_type[] = { 1, 2, 3, 4 };
	static const uint32_t want_off[] = { VP_COMMON, VP_NOTIFY, VP_ISR, VP_DEVCFG };
	unsigned at, n = 0;

	(void)state;
	assert_int_equal(cfg_rd(0x00, 4), 0x10421AF4);
	assert_int_equal(cfg_rd(0x08, 1), 1);			/* revision 1: modern only */
	assert_int_equal(cfg_rd(0x2C, 2), 0x1AF4);
	assert_true(cfg_rd(0x2E, 2) >= 0x40);
	assert_int_equal(cfg_rd(0x3D, 1), 0);			/* no INTx pin */
	assert_true(cfg_rd(0x06, 2) & 0x10);
	/* BAR 0 sized by writing all ones; the others are not implemented */
	cfg_wr(0x10, 4, 0xFFFFFFFF);
	assert_int_equal(cfg_rd(0x10, 4), 0xFFFF8000);
	assert_int_equal(cfg_rd(0x14, 4), 0);
	cfg_wr(0x10, 4, (uint32_t)BAR + 0x1234);		/* low bits stay clear */
	assert_int_equal(cfg_rd(0x10, 4), BAR);
	/* MSI-X first: one vector per queue and one for configuration changes, table and PBA in BAR 0 */
	at = cfg_rd(0x34, 1);
	assert_int_equal(cfg_rd(at, 1), 0x11);
	assert_int_equal(cfg_rd(at + 2, 2) & 0x7FF, 2);
	assert_int_equal(cfg_rd(at + 4, 4), VP_MSIX_TABLE);
	assert_int_equal(cfg_rd(at + 8, 4), VP_MSIX_PBA);
	for (at = cfg_rd(at + 1, 1); at; at = cfg_rd(at + 1, 1), n++) {
		assert_true(n < 4);
		assert_int_equal(cfg_rd(at, 1), 0x09);
		assert_int_equal(cfg_rd(at + 3, 1), want_type[n]);
		assert_int_equal(cfg_rd(at + 4, 1), 0);		/* BAR 0 */
		assert_int_equal(cfg_rd(at + 8, 4), want_off[n]);
		if (want_type[n] == 2) {
			assert_int_equal(cfg_rd(at + 2, 1), 20);
			assert_int_equal(cfg_rd(at + 12, 4), 2 * VP_NOTIFY_MULT);
			assert_int_equal(cfg_rd(at + 16, 4), VP_NOTIFY_MULT);
		}
	}
	assert_int_equal(n, 4);
	/* the BAR answers only with memory decoding on */
	assert_true(virtio_pci_claims(&vp, BAR + VP_BAR_SIZE - 4, 4));
	assert_false(virtio_pci_claims(&vp, BAR + VP_BAR_SIZE - 2, 4));
	assert_false(virtio_pci_claims(&vp, BAR - 1, 1));
	cfg_wr(0x04, 2, 0);
	assert_false(virtio_pci_claims(&vp, BAR, 4));
}

static void test_features(void **state)
{
	(void)state;
	wr(0x00, 4, 0);
	assert_int_equal(rd(0x04, 4), (1u << 9) | (1u << VIRTIO_F_INDIRECT_DESC) | (1u << VIRTIO_F_EVENT_IDX));
	wr(0x00, 4, 1);
	assert_int_equal(rd(0x04, 4), 1);			/* VERSION_1 */
	wr(0x00, 4, 2);
	assert_int_equal(rd(0x04, 4), 0);
	assert_int_equal(rd(0x12, 2), 2);			/* num_queues */
	/* a legacy driver (no VERSION_1) is refused: FEATURES_OK does not stick */
	wr(0x08, 4, 0);
	wr(0x0C, 4, 1u << 9);
	wr(0x14, 1, VIRTIO_STATUS_FEATURES_OK | 3);
	assert_int_equal(rd(0x14, 1), 3);
	/* nor a feature the device did not offer */
	wr(0x08, 4, 1);
	wr(0x0C, 4, 1 | 2);
	wr(0x14, 1, VIRTIO_STATUS_FEATURES_OK | 3);
	assert_int_equal(rd(0x14, 1), 3);
	wr(0x0C, 4, 1);
	wr(0x14, 1, VIRTIO_STATUS_FEATURES_OK | 3);
	assert_int_equal(rd(0x14, 1), VIRTIO_STATUS_FEATURES_OK | 3);
	assert_true(virtio_pci_has(&vp, 9));
	assert_true(virtio_pci_has(&vp, VIRTIO_F_VERSION_1));
	/* fixed from now on */
	wr(0x08, 4, 0);
	wr(0x0C, 4, 0);
	assert_true(virtio_pci_has(&vp, 9));
	/* reset: status 0 reads back 0, the driver's features are gone, the device hears of it */
	wr(0x14, 1, 0);
	assert_int_equal(rd(0x14, 1), 0);
	assert_false(virtio_pci_has(&vp, 9));
	assert_int_equal(resets, 2);				/* power-on and this one */
}

static void test_queues_and_kicks(void **state)
{
	(void)state;
	wr(0x16, 2, 1);
	assert_int_equal(rd(0x18, 2), 64);			/* the maximum until the driver says less */
	assert_int_equal(rd(0x1E, 2), 1);			/* notify offset = queue index */
	assert_int_equal(rd(0x1A, 2), VIRTIO_MSI_NO_VECTOR);
	wr(0x16, 2, 2);						/* no such queue: size 0 */
	assert_int_equal(rd(0x18, 2), 0);
	driver_setup(1ULL << VIRTIO_F_VERSION_1, 16);
	wr(0x16, 2, 0);
	assert_int_equal(rd(0x1C, 2), 1);
	assert_int_equal(rd(0x18, 2), 16);
	assert_int_equal(rd(0x20, 8), DESC);
	assert_int_equal(rd(0x28, 4), AVAIL);
	assert_int_equal(rd(0x30, 2), USED);			/* any width */
	/* a live queue's setup is fixed */
	wr(0x20, 4, 0x8000);
	wr(0x18, 2, 32);
	assert_int_equal(rd(0x20, 4), DESC);
	assert_int_equal(rd(0x18, 2), 16);
	/* a kick before DRIVER_OK waits for it */
	wr(VP_NOTIFY, 2, 0);
	virtio_pci_run(&vp);
	assert_int_equal(processed[0], 0);
	driver_ok();
	virtio_pci_run(&vp);
	assert_int_equal(processed[0], 1);
	/* one kick, one processing; queue 1 is not enabled, so its kick is nothing */
	wr(VP_NOTIFY, 2, 0);
	wr(VP_NOTIFY + VP_NOTIFY_MULT, 2, 1);
	virtio_pci_run(&vp);
	virtio_pci_run(&vp);
	assert_int_equal(processed[0], 2);
	assert_int_equal(processed[1], 0);
	assert_int_equal(vp.kicks, 3);
	/* bytes written one at a time land the same as one write */
	wr(0x16, 2, 1);
	wr(0x20, 1, 0x00);
	wr(0x21, 1, 0x20);
	wr(0x22, 1, 0x00);
	assert_int_equal(rd(0x20, 8), 0x2000);
	/* device configuration: what the device put there, read-only */
	virtio_pci_cfg_put(&vp, 0, 0x1122334455667788ULL, 8);
	assert_int_equal(rd(VP_DEVCFG + 2, 2), 0x5566);
	wr(VP_DEVCFG, 4, 0);
	assert_int_equal(rd(VP_DEVCFG, 8), 0x1122334455667788ULL);
	assert_int_equal(rd(VP_DEVCFG + 8, 1), 0);		/* past cfg_len: nothing there */
}

/* Where an ioeventfd would take a queue's notify: only while the driver uses the queue. */
static void test_notify_gpa(void **state)
{
	uint64_t gpa = 0;
	uint16_t data = 0xFFFF;

	(void)state;
	assert_false(virtio_pci_notify_gpa(&vp, 0, &gpa, &data));	/* not set up */
	driver_setup(1ULL << VIRTIO_F_VERSION_1, 16);
	assert_false(virtio_pci_notify_gpa(&vp, 0, &gpa, &data));	/* enabled, no DRIVER_OK */
	driver_ok();
	virtio_pci_run(&vp);
	assert_true(virtio_pci_notify_gpa(&vp, 0, &gpa, &data));
	assert_int_equal(gpa, BAR + VP_NOTIFY);
	assert_int_equal(data, 0);
	/* what the driver reads as the queue's notify offset agrees */
	wr(0x16, 2, 0);
	assert_int_equal(gpa, BAR + VP_NOTIFY + rd(0x1E, 2) * VP_NOTIFY_MULT);
	assert_false(virtio_pci_notify_gpa(&vp, 1, &gpa, &data));	/* queue 1 not enabled */
	assert_false(virtio_pci_notify_gpa(&vp, 2, &gpa, &data));	/* no such queue */
	/* the kick an eventfd brings is the same as the write's; past the queues, nothing */
	virtio_pci_kick(&vp, 0);
	virtio_pci_kick(&vp, 5);
	virtio_pci_run(&vp);
	assert_int_equal(processed[0], 2);			/* DRIVER_OK's pass, then the kick */
	assert_int_equal(vp.kicks, 1);
	/* the BAR moved: the address follows; memory decoding off: none */
	cfg_wr(0x10, 4, (uint32_t)BAR + 0x10000);
	assert_true(virtio_pci_notify_gpa(&vp, 0, &gpa, &data));
	assert_int_equal(gpa, BAR + 0x10000 + VP_NOTIFY);
	cfg_wr(0x04, 2, 0x4);
	assert_false(virtio_pci_notify_gpa(&vp, 0, &gpa, &data));
	cfg_wr(0x04, 2, 0x6);
	cfg_wr(0x10, 4, (uint32_t)BAR);
	/* reset: none */
	wr(0x14, 1, 0);
	assert_false(virtio_pci_notify_gpa(&vp, 0, &gpa, &data));
}

static void msix_entry(unsigned v, uint32_t data, bool masked)
{
	wr(VP_MSIX_TABLE + 16 * v, 4, 0xFEE00000);
	wr(VP_MSIX_TABLE + 16 * v + 4, 4, 0);
	wr(VP_MSIX_TABLE + 16 * v + 8, 4, data);
	wr(VP_MSIX_TABLE + 16 * v + 12, 4, masked);
}

static void test_msix(void **state)
{
	(void)state;
	/* disabled: the ISR says it (read clears), no message */
	virtio_pci_queue_irq(&vp, 0);
	assert_int_equal(nmsi, 0);
	assert_int_equal(rd(VP_ISR, 1), 1);
	assert_int_equal(rd(VP_ISR, 1), 0);
	/* entries start masked; enable MSI-X with all of the function masked */
	assert_int_equal(rd(VP_MSIX_TABLE + 12, 4), 1);
	cfg_wr(VP_CAP_MSIX + 2, 2, 0xC000);
	assert_int_equal(cfg_rd(VP_CAP_MSIX + 2, 2), 0xC002);	/* table size stays */
	msix_entry(0, 0x41, false);
	msix_entry(1, 0x42, false);
	wr(0x10, 2, 0);						/* config vector 0 */
	wr(0x16, 2, 0);
	wr(0x1A, 2, 1);						/* queue 0 on vector 1 */
	assert_int_equal(rd(0x1A, 2), 1);
	wr(0x16, 2, 1);
	wr(0x1A, 2, 3);						/* past the table: refused */
	assert_int_equal(rd(0x1A, 2), VIRTIO_MSI_NO_VECTOR);
	/* function masked: pending in the PBA until unmasked */
	virtio_pci_queue_irq(&vp, 0);
	assert_int_equal(nmsi, 0);
	assert_int_equal(rd(VP_MSIX_PBA, 8), 2);
	cfg_wr(VP_CAP_MSIX + 2, 2, 0x8000);
	virtio_pci_run(&vp);
	assert_int_equal(nmsi, 1);
	assert_int_equal(msi_addr, 0xFEE00000);
	assert_int_equal(msi_data, 0x42);
	assert_int_equal(rd(VP_MSIX_PBA, 4), 0);
	/* an entry masked: pending; unmasking it sends at once */
	wr(VP_MSIX_TABLE + 12, 4, 1);
	virtio_pci_config_irq(&vp);
	assert_int_equal(nmsi, 1);
	assert_int_equal(rd(VP_MSIX_PBA, 1), 1);
	wr(VP_MSIX_TABLE + 12, 4, 0);
	assert_int_equal(nmsi, 2);
	assert_int_equal(msi_data, 0x41);
	/* a queue without a vector: nothing, counted */
	virtio_pci_queue_irq(&vp, 1);
	assert_int_equal(nmsi, 2);
	assert_int_equal(vp.msi_lost, 2);
	/* a table entry written as one qword */
	wr(VP_MSIX_TABLE + 16, 8, 0xFEE01000);
	assert_int_equal(rd(VP_MSIX_TABLE + 16, 4), 0xFEE01000);
	assert_int_equal(rd(VP_MSIX_TABLE + 20, 4), 0);
}

/* Rings outside RAM or a bad size break the device, not the device model. */
static void test_bad_queue_breaks_device(void **state)
{
	(void)state;
	cfg_wr(VP_CAP_MSIX + 2, 2, 0x8000);
	msix_entry(0, 0x50, false);
	wr(0x10, 2, 0);
	wr(0x14, 1, 3);
	wr(0x08, 4, 1);
	wr(0x0C, 4, 1);
	wr(0x14, 1, 0xB);
	wr(0x16, 2, 0);
	wr(0x18, 2, 24);					/* not a power of two */
	wr(0x20, 8, DESC);
	wr(0x28, 8, AVAIL);
	wr(0x30, 8, USED);
	wr(0x1C, 2, 1);
	assert_int_equal(rd(0x1C, 2), 0);
	assert_true(rd(0x14, 1) & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(nmsi, 1);				/* configuration change */
	assert_int_equal(log_lines, 1);
	/* the driver cannot clear it but by a reset; then a good setup works */
	wr(0x14, 1, 0xF);
	assert_true(rd(0x14, 1) & VIRTIO_STATUS_NEEDS_RESET);
	wr(0x14, 1, 0);
	assert_int_equal(rd(0x14, 1), 0);
	driver_setup(1ULL << VIRTIO_F_VERSION_1, 64);
	driver_ok();
	assert_int_equal(rd(0x1C, 2), 1);
	assert_int_equal(rd(0x14, 1), 0xF);
	/* rings past the end of RAM */
	wr(0x14, 1, 0);
	wr(0x14, 1, 3);
	wr(0x08, 4, 1);
	wr(0x0C, 4, 1);
	wr(0x14, 1, 0xB);
	wr(0x10, 2, 0);						/* a reset forgot the vector */
	wr(0x20, 8, RAM - 16);
	wr(0x1C, 2, 1);
	assert_true(rd(0x14, 1) & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(nmsi, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_config_space, setup),
		cmocka_unit_test_setup(test_features, setup),
		cmocka_unit_test_setup(test_queues_and_kicks, setup),
		cmocka_unit_test_setup(test_notify_gpa, setup),
		cmocka_unit_test_setup(test_msix, setup),
		cmocka_unit_test_setup(test_bad_queue_breaks_device, setup),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
