/*
 * virtio-blk requests (virtio 1.x, 5.2.6): a 16-byte header the device
 * reads (type, reserved, sector), data, and a status byte it writes last.
 * blk_req_parse is pure: from a popped chain to what to do, checked against
 * the image's size. blk_req_execute does it on a file.
 */
#ifndef DM_VIRTIO_BLK_REQ_H
#define DM_VIRTIO_BLK_REQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "virtq.h"

#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_T_FLUSH	4
#define VIRTIO_BLK_T_GET_ID	8
#define VIRTIO_BLK_S_OK		0
#define VIRTIO_BLK_S_IOERR	1
#define VIRTIO_BLK_S_UNSUPP	2
#define VIRTIO_BLK_SECTOR	512u
#define VIRTIO_BLK_ID_BYTES	20u
#define VIRTIO_BLK_HDR_BYTES	16u

/* Framing the driver got wrong: the device needs a reset (not a status). */
enum blk_req_err {
	BLK_ERR_HEADER = -1,	/* fewer than 16 readable bytes */
	BLK_ERR_STATUS = -2,	/* no writable byte for the status */
	BLK_ERR_SEGS = -3,	/* more data segments than room given */
};

struct blk_req {
	uint32_t type;
	uint64_t sector;
	uint64_t offset;	/* bytes into the image */
	uint64_t len;		/* data bytes (IN, OUT) or the ID buffer (GET_ID) */
	struct iovec *data;	/* the data segments, header and status cut off */
	unsigned ndata;
	uint8_t *status;	/* the status byte in guest memory */
	bool done;		/* nothing to do but answer `result` */
	uint8_t result;		/* VIRTIO_BLK_S_* when done */
};

/*
 * Parse chain c for an image of capacity bytes (readonly: writes fail).
 * data: max entries for the data segments. 0 with *r filled, or BLK_ERR_*.
 */
int blk_req_parse(const struct virtq_chain *c, uint64_t capacity, bool readonly, struct blk_req *r,
		  struct iovec *data, unsigned max);

/*
 * Do r on image fd (serial: the GET_ID answer), write the status byte, and
 * return the used length to push (data written to the guest plus status).
 */
uint32_t blk_req_execute(int fd, const char *serial, struct blk_req *r);

const char *blk_req_strerror(int err);

#endif
