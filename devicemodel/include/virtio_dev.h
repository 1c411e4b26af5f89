/*
 * What every virtio device shares above its queues: the device status byte
 * and the one thing to do when the guest breaks the protocol.
 */
#ifndef DM_VIRTIO_DEV_H
#define DM_VIRTIO_DEV_H

#include <stdbool.h>
#include <stdint.h>

#define VIRTIO_STATUS_ACKNOWLEDGE	1
#define VIRTIO_STATUS_DRIVER		2
#define VIRTIO_STATUS_DRIVER_OK		4
#define VIRTIO_STATUS_FEATURES_OK	8
#define VIRTIO_STATUS_NEEDS_RESET	64
#define VIRTIO_STATUS_FAILED		128

struct virtio_dev {
	const char *name;		/* e.g. "virtio-blk 00:03.0", for log lines */
	uint8_t status;
};

/*
 * The guest broke `queue` (a queue name or "config"): the device stops, sets
 * DEVICE_NEEDS_RESET and says why in one log line (rate-limited across all
 * devices). Further errors before the driver resets it say nothing more.
 * Returns true when this call set the bit (the caller then raises the
 * configuration-change interrupt).
 */
bool virtio_needs_reset(struct virtio_dev *d, const char *queue, const char *why);

/* Whether the device may process requests (DRIVER_OK and not broken). */
static inline bool virtio_dev_live(const struct virtio_dev *d)
{
	return (d->status & VIRTIO_STATUS_DRIVER_OK) && !(d->status & VIRTIO_STATUS_NEEDS_RESET);
}

#endif
