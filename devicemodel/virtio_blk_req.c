/*
 * virtio-blk requests. The driver may split header, data and status across
 * descriptors as it likes (ANY_LAYOUT is part of virtio 1.x), so every part
 * is found by byte offset, never by descriptor number. A request the driver
 * framed wrongly breaks the device; one that is well framed but impossible
 * (past the end, ragged length, unknown type) is answered with a status.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "iov.h"
#include "virtio_blk_req.h"

static void finish(struct blk_req *r, uint8_t result)
{
	r->done = true;
	r->result = result;
}

/* Data must be whole sectors inside the image. */
static void check_range(struct blk_req *r, uint64_t capacity)
{
	if (r->len % VIRTIO_BLK_SECTOR || r->sector > UINT64_MAX / VIRTIO_BLK_SECTOR) {
		finish(r, VIRTIO_BLK_S_IOERR);
		return;
	}
	r->offset = r->sector * VIRTIO_BLK_SECTOR;
	if (r->offset > capacity || r->len > capacity - r->offset)
		finish(r, VIRTIO_BLK_S_IOERR);
}

int blk_req_parse(const struct virtq_chain *c, uint64_t capacity, bool readonly, struct blk_req *r,
		  struct iovec *data, unsigned max)
{
	const struct iovec *rd = c->iov, *wr = c->iov + c->n_read;
	uint8_t hdr[VIRTIO_BLK_HDR_BYTES];
	uint64_t wdata;
	int n = 0;

	memset(r, 0, sizeof(*r));
	r->data = data;
	if (c->read_len < VIRTIO_BLK_HDR_BYTES)
		return BLK_ERR_HEADER;
	if (c->write_len < 1)
		return BLK_ERR_STATUS;
	iov_to_buf(rd, c->n_read, 0, hdr, sizeof(hdr));
	memcpy(&r->type, hdr, 4);		/* le32 type, le32 reserved, le64 sector */
	memcpy(&r->sector, hdr + 8, 8);
	/* the status is the last writable byte, wherever empty segments put it */
	for (unsigned i = c->n_write; i-- > 0; )
		if (wr[i].iov_len) {
			r->status = (uint8_t *)wr[i].iov_base + wr[i].iov_len - 1;
			break;
		}
	wdata = c->write_len - 1;

	switch (r->type) {
	case VIRTIO_BLK_T_IN:
		r->len = wdata;
		n = iov_slice(wr, c->n_write, 0, wdata, data, max);
		check_range(r, capacity);
		break;
	case VIRTIO_BLK_T_OUT:
		r->len = c->read_len - VIRTIO_BLK_HDR_BYTES;
		n = iov_slice(rd, c->n_read, VIRTIO_BLK_HDR_BYTES, r->len, data, max);
		check_range(r, capacity);
		if (readonly)
			finish(r, VIRTIO_BLK_S_IOERR);
		break;
	case VIRTIO_BLK_T_FLUSH:
		break;
	case VIRTIO_BLK_T_GET_ID:
		r->len = wdata < VIRTIO_BLK_ID_BYTES ? wdata : VIRTIO_BLK_ID_BYTES;
		n = iov_slice(wr, c->n_write, 0, r->len, data, max);
		break;
	default:
		finish(r, VIRTIO_BLK_S_UNSUPP);
		break;
	}
	if (n < 0)
		return BLK_ERR_SEGS;
	r->ndata = (unsigned)n;
	return 0;
}

/* All of iov at off, however many calls it takes; -1 on an error or end of file. */
static int rw_all(int fd, struct iovec *iov, unsigned n, uint64_t off, bool write)
{
	while (n) {
		unsigned batch = n < IOV_MAX ? n : IOV_MAX;
		ssize_t k = write ? pwritev(fd, iov, (int)batch, (off_t)off) : preadv(fd, iov, (int)batch, (off_t)off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		off += (uint64_t)k;
		while (n && (size_t)k >= iov->iov_len) {
			k -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (uint8_t *)iov->iov_base + k;
			iov->iov_len -= (size_t)k;
		}
	}
	return 0;
}

uint32_t blk_req_execute(int fd, const char *serial, struct blk_req *r)
{
	uint8_t st = r->result;
	uint32_t used = 1;
	char id[VIRTIO_BLK_ID_BYTES];

	/* data written to the guest counts even on failure: the status byte lies after it */
	if (r->type == VIRTIO_BLK_T_IN || (r->type == VIRTIO_BLK_T_GET_ID && !r->done))
		used += (uint32_t)r->len;
	if (!r->done) {
		st = VIRTIO_BLK_S_OK;
		switch (r->type) {
		case VIRTIO_BLK_T_IN:
		case VIRTIO_BLK_T_OUT:
			if (rw_all(fd, r->data, r->ndata, r->offset, r->type == VIRTIO_BLK_T_OUT))
				st = VIRTIO_BLK_S_IOERR;
			break;
		case VIRTIO_BLK_T_FLUSH:
			if (fdatasync(fd))
				st = VIRTIO_BLK_S_IOERR;
			break;
		case VIRTIO_BLK_T_GET_ID:
			/* 20 bytes, NUL-padded, no terminator when the serial fills them */
			memset(id, 0, sizeof(id));
			memcpy(id, serial, strnlen(serial, sizeof(id)));
			iov_from_buf(r->data, r->ndata, 0, id, r->len);
			break;
		}
	}
	*r->status = st;
	return used;
}

const char *blk_req_strerror(int err)
{
	switch (err) {
	case BLK_ERR_HEADER: return "request without its 16-byte header";
	case BLK_ERR_STATUS: return "request without a writable status byte";
	case BLK_ERR_SEGS: return "more data segments than the device takes";
	}
	return "unknown error";
}
