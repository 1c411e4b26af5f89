/*
 * Split virtqueue walker. The guest can change its rings while we read them,
 * so each value is loaded once into a local and checked there; a descriptor
 * is copied whole before any field is trusted. The first violation breaks
 * the queue for good (until the device is reset).
 */
#include <string.h>

#include "virtq.h"

#define DESC_SIZE	16u
#define AVAIL_FLAGS	0
#define AVAIL_IDX	1
#define AVAIL_RING	2

static int fail(struct virtq *q, int err)
{
	if (!q->broken)
		q->broken = (enum virtq_err)err;
	return err;
}

static inline uint16_t ld16(const uint16_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Tables in indirect buffers need not be aligned: copy bytes, then fence the compiler off rereads. */
static inline void read_desc(const uint8_t *p, struct virtq_desc *d)
{
	memcpy(d, p, sizeof(*d));
	__asm__ volatile("" ::: "memory");
}

int virtq_init(struct virtq *q, const struct gmem *mem, uint16_t size, uint64_t desc_gpa,
	       uint64_t avail_gpa, uint64_t used_gpa, uint64_t features)
{
	uint8_t *used;

	memset(q, 0, sizeof(*q));
	q->mem = mem;
	q->size = size;
	q->notify_on = true;
	q->indirect_ok = features & (1ull << VIRTIO_F_INDIRECT_DESC);
	q->event_idx = features & (1ull << VIRTIO_F_EVENT_IDX);
	if (size == 0 || (size & (size - 1)))
		return fail(q, VQ_ERR_SIZE);
	/* the spec's alignments: descriptors 16, avail ring 2, used ring 4 */
	if (desc_gpa % 16 || avail_gpa % 2 || used_gpa % 4)
		return fail(q, VQ_ERR_RING);
	q->desc = gmem_ptr(mem, desc_gpa, (uint64_t)DESC_SIZE * size);
	q->avail = gmem_ptr(mem, avail_gpa, 6 + 2ull * size);
	used = gmem_ptr(mem, used_gpa, 6 + 8ull * size);
	if (!q->desc || !q->avail || !used)
		return fail(q, VQ_ERR_RING);
	q->used_hdr = (uint16_t *)used;
	q->used_ring = (struct virtq_used_elem *)(used + 4);
	q->avail_event = (uint16_t *)(used + 4 + 8ull * size);
	return VQ_OK;
}

/* Walk the chain from head into iov; VQ_OK or the violation found. */
static int walk(struct virtq *q, uint16_t head, struct virtq_chain *c, struct iovec *iov, unsigned max_iov)
{
	const uint8_t *table = (const uint8_t *)q->desc;
	uint32_t tsize = q->size, idx = head, count = 0;
	uint64_t rlen = 0, wlen = 0;
	bool indirect = false;
	unsigned n = 0, n_read = 0;

	for (;;) {
		struct virtq_desc d;
		void *buf;

		/* no chain visits more descriptors than its table has: more is a loop */
		if (++count > tsize)
			return VQ_ERR_LOOP;
		read_desc(table + (uint64_t)idx * DESC_SIZE, &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (indirect)
				return VQ_ERR_NESTED;
			/* Linux puts the indirect descriptor alone at the head; nothing else is valid here */
			if (!q->indirect_ok || count != 1 || (d.flags & VIRTQ_DESC_F_NEXT))
				return VQ_ERR_INDIRECT;
			if (d.len == 0 || d.len % DESC_SIZE || d.len / DESC_SIZE > VIRTQ_MAX_INDIRECT)
				return VQ_ERR_INDIRECT_LEN;
			table = gmem_ptr(q->mem, d.addr, d.len);
			if (!table)
				return VQ_ERR_BUF;
			tsize = d.len / DESC_SIZE;
			idx = 0;
			count = 0;
			indirect = true;
			continue;
		}
		buf = gmem_ptr(q->mem, d.addr, d.len);
		if (!buf)
			return VQ_ERR_BUF;
		if (d.flags & VIRTQ_DESC_F_WRITE) {
			wlen += d.len;
		} else {
			if (n != n_read)
				return VQ_ERR_ORDER;
			rlen += d.len;
			n_read++;
		}
		/* the used ring's len is 32 bits: a longer chain cannot be answered */
		if (rlen + wlen > UINT32_MAX)
			return VQ_ERR_LEN;
		if (n == max_iov)
			return VQ_ERR_SEGS;
		iov[n].iov_base = buf;
		iov[n].iov_len = d.len;
		n++;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		idx = d.next;
		if (idx >= tsize)
			return VQ_ERR_NEXT;
	}
	c->head = head;
	c->iov = iov;
	c->n_read = n_read;
	c->n_write = n - n_read;
	c->read_len = (uint32_t)rlen;
	c->write_len = (uint32_t)wlen;
	return VQ_OK;
}

int virtq_pop(struct virtq *q, struct virtq_chain *c, struct iovec *iov, unsigned max_iov)
{
	uint16_t avail_idx, pending, head;
	int r;

	if (q->broken)
		return VQ_ERR_BROKEN;
	/* acquire: the ring entries and descriptors are read after the index */
	avail_idx = __atomic_load_n(&q->avail[AVAIL_IDX], __ATOMIC_ACQUIRE);
	pending = (uint16_t)(avail_idx - q->last_avail);
	if (pending > q->size)
		return fail(q, VQ_ERR_AVAIL_IDX);
	if (!pending)
		return 0;
	head = ld16(&q->avail[AVAIL_RING + (q->last_avail & (q->size - 1))]);
	if (head >= q->size)
		return fail(q, VQ_ERR_HEAD);
	r = walk(q, head, c, iov, max_iov);
	if (r)
		return fail(q, r);
	q->last_avail++;
	q->in_flight++;
	if (q->event_idx && q->notify_on)
		__atomic_store_n(q->avail_event, q->last_avail, __ATOMIC_RELAXED);
	return 1;
}

int virtq_push(struct virtq *q, uint16_t head, uint32_t len)
{
	struct virtq_used_elem *e;

	if (q->broken)
		return VQ_ERR_BROKEN;
	if (head >= q->size || q->in_flight == 0)
		return fail(q, VQ_ERR_USED);
	e = &q->used_ring[q->used_idx & (q->size - 1)];
	__atomic_store_n(&e->id, head, __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, len, __ATOMIC_RELAXED);
	q->used_idx++;
	q->in_flight--;
	/* release: the element is visible before the index that hands it over */
	__atomic_store_n(&q->used_hdr[1], q->used_idx, __ATOMIC_RELEASE);
	return VQ_OK;
}

bool virtq_need_interrupt(struct virtq *q)
{
	uint16_t old, now, event;
	bool valid;

	if (q->broken)
		return false;
	/* our used.idx store must be visible before we read what the driver asked */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!q->event_idx)
		return !(ld16(&q->avail[AVAIL_FLAGS]) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	old = q->signalled_used;
	now = q->used_idx;
	valid = q->signalled_valid;
	q->signalled_used = now;
	q->signalled_valid = true;
	if (!valid)
		return true;
	event = ld16(&q->avail[AVAIL_RING + q->size]);
	/* did used.idx pass used_event since the last interrupt? (modulo 2^16) */
	return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
}

void virtq_set_notify(struct virtq *q, bool enable)
{
	q->notify_on = enable;
	if (q->broken)
		return;
	if (q->event_idx) {
		/* without a kick wanted, avail_event stays behind and the driver stays quiet */
		if (enable)
			__atomic_store_n(q->avail_event, q->last_avail, __ATOMIC_RELAXED);
	} else {
		__atomic_store_n(&q->used_hdr[0], enable ? 0 : VIRTQ_USED_F_NO_NOTIFY, __ATOMIC_RELAXED);
	}
	/* callers re-check virtq_has_avail after enabling: a chain may have come meanwhile */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

bool virtq_has_avail(struct virtq *q)
{
	if (q->broken)
		return false;
	return __atomic_load_n(&q->avail[AVAIL_IDX], __ATOMIC_ACQUIRE) != q->last_avail;
}

const char *virtq_strerror(int err)
{
	switch (err) {
	case VQ_OK: return "no error";
	case VQ_ERR_BROKEN: return "queue already broken";
	case VQ_ERR_RING: return "rings outside guest RAM or misaligned";
	case VQ_ERR_SIZE: return "queue size not a power of two up to 32768";
	case VQ_ERR_AVAIL_IDX: return "avail index ran more than the queue size ahead";
	case VQ_ERR_HEAD: return "chain head index past the descriptor table";
	case VQ_ERR_NEXT: return "next index past the descriptor table";
	case VQ_ERR_LOOP: return "descriptor chain longer than its table (a loop)";
	case VQ_ERR_BUF: return "buffer outside guest RAM";
	case VQ_ERR_INDIRECT: return "indirect descriptor not negotiated, not alone at the head, or with NEXT";
	case VQ_ERR_INDIRECT_LEN: return "indirect table empty, not a multiple of 16 bytes, or over 1024 entries";
	case VQ_ERR_NESTED: return "indirect descriptor inside an indirect table";
	case VQ_ERR_ORDER: return "device-readable buffer after a device-writable one";
	case VQ_ERR_SEGS: return "more buffers in a chain than the device takes";
	case VQ_ERR_LEN: return "chain of 4 GiB or more";
	case VQ_ERR_USED: return "device returned a chain it does not hold";
	}
	return "unknown error";
}
