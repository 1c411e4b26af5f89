/*
 * The virtio 1.x modern PCI transport (virtio spec 4.1), device side, pure:
 * one type-0 function (1af4:1040+id, revision 1) whose capabilities point
 * into one 32-bit memory BAR the guest places: common configuration, ISR,
 * device configuration, notifications, and the MSI-X table and PBA. The
 * device model feeds it the guest's MMIO accesses to that BAR; a kick only
 * marks its queue, and virtio_pci_run (after the request is completed) has
 * the device process it, so the guest runs on meanwhile. Interrupts are
 * MSI-X messages through a callback (INJECT_MSI); there is no INTx
 * (interrupt pin 0), so a driver that does not enable MSI-X gets none.
 * No VIRTIO_PCI_CAP_PCI_CFG window (Linux does not use it).
 */
#ifndef DM_VIRTIO_PCI_H
#define DM_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "gmem.h"
#include "pcicfg.h"
#include "virtio_dev.h"
#include "virtq.h"

#define VIRTIO_PCI_VENDOR	0x1AF4
#define VIRTIO_PCI_DEVICE_BASE	0x1040	/* + the virtio device id */
#define VIRTIO_F_VERSION_1	32
#define VIRTIO_MSI_NO_VECTOR	0xFFFF
#define VIRTIO_PCI_MAX_QUEUES	8
#define VIRTIO_PCI_MAX_CFG	64	/* device configuration bytes */

/* BAR 0: one 4 KiB page per structure (the notify page can become an ioeventfd) */
#define VP_BAR_SIZE		0x8000u
#define VP_COMMON		0x0000u
#define VP_COMMON_LEN		0x38u
#define VP_ISR			0x1000u
#define VP_DEVCFG		0x2000u
#define VP_NOTIFY		0x3000u
#define VP_NOTIFY_MULT		4u
#define VP_MSIX_TABLE		0x4000u
#define VP_MSIX_PBA		0x5000u

/* capability offsets in config space */
#define VP_CAP_MSIX		0x40
#define VP_CAP_COMMON		0x50
#define VP_CAP_NOTIFY		0x60
#define VP_CAP_ISR		0x78
#define VP_CAP_DEVCFG		0x88

struct virtio_pci;

/* What a device kind tells the transport. */
struct virtio_pci_desc {
	const char *kind;		/* "virtio-blk", for log lines */
	uint16_t device_id;		/* virtio device id: 2 blk, 1 net, 3 console, 4 rng */
	uint32_t class_code;		/* PCI class << 16 | subclass << 8 | prog-if */
	unsigned nqueues;
	uint16_t queue_max;		/* power of two */
	uint64_t features;		/* device-specific bits; VERSION_1 etc. are added */
	unsigned cfg_len;		/* bytes of device configuration, 0..VIRTIO_PCI_MAX_CFG */
	/* Take what queue q has (only while the device is live). */
	void (*process)(struct virtio_pci *vp, unsigned q);
	/* The driver reset the device: forget requests and state. May be NULL. */
	void (*reset)(struct virtio_pci *vp);
};

struct virtio_pci_queue {
	uint16_t size, msix_vector;
	bool enabled;
	uint64_t desc, driver, device;
	struct virtq vq;
};

struct virtio_msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

struct virtio_pci {
	struct virtio_dev dev;		/* name, status */
	char name[40];
	const struct virtio_pci_desc *desc;
	void *opaque;			/* the device's own state */
	struct pci_func *func;		/* its config space in the VM's pcicfg */
	const struct gmem *mem;
	/* MSI delivery: 0 or an errno */
	int (*inject_msi)(void *ctx, uint64_t addr, uint32_t data);
	void *msi_ctx;
	uint64_t features;		/* offered */
	uint64_t driver_features;	/* accepted by the driver */
	uint32_t dfselect, gfselect;
	uint16_t msix_config, queue_select;
	uint8_t isr, generation;
	uint8_t cfg[VIRTIO_PCI_MAX_CFG];	/* device configuration, kept by the device */
	struct virtio_pci_queue q[VIRTIO_PCI_MAX_QUEUES];
	struct virtio_msix_entry msix[VIRTIO_PCI_MAX_QUEUES + 1];
	uint32_t pba;
	uint32_t pending;		/* queues kicked, not yet processed */
	uint64_t kicks, msis, msi_fail, msi_lost;
};

/*
 * Add the function at slot:fn of p and set the transport to power-on.
 * Call again after pcicfg_init (a VM reset). -1 if the slot is taken or the
 * description is out of bounds.
 */
int virtio_pci_init(struct virtio_pci *vp, const struct virtio_pci_desc *d, void *opaque,
		    struct pcicfg *p, unsigned slot, unsigned fn, const struct gmem *mem,
		    int (*inject_msi)(void *ctx, uint64_t addr, uint32_t data), void *msi_ctx);

/* Whether [gpa, gpa + size) is in the function's BAR (memory decoding on). */
bool virtio_pci_claims(const struct virtio_pci *vp, uint64_t gpa, unsigned size);
uint64_t virtio_pci_read(struct virtio_pci *vp, uint64_t gpa, unsigned size);
void virtio_pci_write(struct virtio_pci *vp, uint64_t gpa, unsigned size, uint64_t v);

/*
 * After each request served: process kicked queues of a live device and
 * deliver MSI-X messages whose mask the guest lifted.
 */
void virtio_pci_run(struct virtio_pci *vp);

/* The driver notified queue q (its notify address, or an ioeventfd): mark it for virtio_pci_run. */
void virtio_pci_kick(struct virtio_pci *vp, unsigned q);

/*
 * Where the driver notifies queue q and what it writes there (the queue
 * index: 16 bits, no NOTIFICATION_DATA), while that is worth an ioeventfd:
 * the device live, the queue enabled, the BAR decoded. False otherwise.
 */
bool virtio_pci_notify_gpa(const struct virtio_pci *vp, unsigned q, uint64_t *gpa, uint16_t *data);

/* Interrupt for queue q (if virtq_need_interrupt says so: the caller asks), or config change. */
void virtio_pci_queue_irq(struct virtio_pci *vp, unsigned q);
void virtio_pci_config_irq(struct virtio_pci *vp);

/* The guest broke something: DEVICE_NEEDS_RESET, one log line, a config interrupt. */
void virtio_pci_break(struct virtio_pci *vp, const char *what, const char *why);

/*
 * A device's pass over queue qi ended with n (virtq_pop/virtq_push: < 0 the
 * queue broke) having pushed used elements or not: break the device or
 * interrupt the driver as needed. qname names the queue in the log line.
 */
void virtio_pci_queue_done(struct virtio_pci *vp, unsigned qi, int n, bool pushed,
			   const char *qname);

/*
 * For a kernel back-end (vhost): where vector vec's message goes now: false
 * while it would not be sent (MSI-X off, the function or the entry masked,
 * no such vector); then raise it with virtio_pci_queue_irq, which keeps it
 * in the PBA. The address of queue q's notification (the guest writes the
 * queue's index there, 16 bits); 0 while memory decoding is off.
 */
bool virtio_pci_msix_target(const struct virtio_pci *vp, uint16_t vec, uint64_t *addr, uint32_t *data);
uint64_t virtio_pci_notify_addr(const struct virtio_pci *vp, unsigned q);

/* The negotiated features (valid once FEATURES_OK). */
static inline bool virtio_pci_has(const struct virtio_pci *vp, unsigned bit)
{
	return vp->driver_features & (1ULL << bit);
}

/* The device writes little-endian fields of its configuration with these. */
void virtio_pci_cfg_put(struct virtio_pci *vp, unsigned off, uint64_t v, unsigned size);

#endif
