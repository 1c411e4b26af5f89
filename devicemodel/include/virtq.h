/*
 * Split virtqueues (virtio 1.x), device side: take the driver's chains as
 * iovecs, give them back through the used ring. Every value the guest wrote
 * is read once and checked; a violation breaks the queue (virtq_pop/push
 * return VQ_ERR_*), and the device then sets DEVICE_NEEDS_RESET.
 */
#ifndef DM_VIRTQ_H
#define DM_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "gmem.h"

#define VIRTQ_MAX_SIZE		32768
#define VIRTQ_DESC_F_NEXT	1
#define VIRTQ_DESC_F_WRITE	2
#define VIRTQ_DESC_F_INDIRECT	4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY	1

/* Feature bits the queue itself cares about. */
#define VIRTIO_F_INDIRECT_DESC	28
#define VIRTIO_F_EVENT_IDX	29

/* Guest-visible layouts (little-endian; the device model runs on x86 only). */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

enum virtq_err {
	VQ_OK = 0,
	VQ_ERR_BROKEN = -1,		/* broken before; reset the device */
	VQ_ERR_RING = -2,		/* rings outside guest RAM or misaligned */
	VQ_ERR_SIZE = -3,		/* queue size not a power of two in 1..32768 */
	VQ_ERR_AVAIL_IDX = -4,		/* avail index ran more than the queue size ahead */
	VQ_ERR_HEAD = -5,		/* a head index past the table */
	VQ_ERR_NEXT = -6,		/* a next index past the table */
	VQ_ERR_LOOP = -7,		/* chain longer than its table: a loop */
	VQ_ERR_BUF = -8,		/* a buffer outside guest RAM or wrapping */
	VQ_ERR_INDIRECT = -9,		/* indirect not negotiated, not the head, or with NEXT */
	VQ_ERR_INDIRECT_LEN = -10,	/* indirect table empty, ragged or too large */
	VQ_ERR_NESTED = -11,		/* indirect inside an indirect table */
	VQ_ERR_ORDER = -12,		/* a readable buffer after a writable one */
	VQ_ERR_SEGS = -13,		/* more segments than the device takes */
	VQ_ERR_LEN = -14,		/* chain of 4 GiB or more */
	VQ_ERR_USED = -15,		/* device bug: push of a bad head or none in flight */
};

/* Largest indirect table accepted (entries); Linux uses far fewer. */
#define VIRTQ_MAX_INDIRECT	1024

struct virtq {
	const struct gmem *mem;
	uint16_t size;
	bool indirect_ok;		/* VIRTIO_F_INDIRECT_DESC negotiated */
	bool event_idx;			/* VIRTIO_F_EVENT_IDX negotiated */
	struct virtq_desc *desc;	/* host pointers into guest RAM */
	uint16_t *avail;		/* flags, idx, ring[size], used_event */
	uint16_t *used_hdr;		/* flags, idx */
	struct virtq_used_elem *used_ring;
	uint16_t *avail_event;		/* after used_ring[size] */
	uint16_t last_avail;		/* next avail entry to take */
	uint16_t used_idx;		/* our copy of used.idx */
	uint16_t signalled_used;	/* used_idx at the last interrupt (EVENT_IDX) */
	bool signalled_valid;
	uint32_t in_flight;		/* popped, not pushed yet */
	bool notify_on;			/* the device wants kicks */
	enum virtq_err broken;		/* VQ_OK while usable: the first error sticks */
};

/* One chain: iov[0..n_read) device-readable, then n_write device-writable. */
struct virtq_chain {
	uint16_t head;
	unsigned n_read, n_write;
	uint32_t read_len, write_len;	/* totals, bytes */
	struct iovec *iov;
};

/*
 * Set a queue up from the driver's addresses (queue_enable). features: the
 * negotiated feature bits. VQ_OK or VQ_ERR_SIZE/RING (queue left broken).
 */
int virtq_init(struct virtq *q, const struct gmem *mem, uint16_t size, uint64_t desc_gpa,
	       uint64_t avail_gpa, uint64_t used_gpa, uint64_t features);

/*
 * The next available chain into c (iov: max_iov entries the caller owns).
 * 1: a chain; 0: none; <0: VQ_ERR_*, the queue is broken.
 */
int virtq_pop(struct virtq *q, struct virtq_chain *c, struct iovec *iov, unsigned max_iov);

/* Give chain `head` back with `len` bytes written. VQ_OK or VQ_ERR_*. */
int virtq_push(struct virtq *q, uint16_t head, uint32_t len);

/* After pushes: whether the driver wants an interrupt now (flags or used_event). */
bool virtq_need_interrupt(struct virtq *q);

/* Ask the driver for notifications (kicks) or tell it to skip them. */
void virtq_set_notify(struct virtq *q, bool enable);

/* Whether the driver has made chains available that were not popped yet. */
bool virtq_has_avail(struct virtq *q);

/* What an error means, for the device's one log line. */
const char *virtq_strerror(int err);

#endif
