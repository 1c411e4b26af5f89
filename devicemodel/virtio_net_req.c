/* virtio-net frames (include/virtio_net_req.h): every length from the guest or the TAP is checked. */
#include <string.h>

#include "iov.h"
#include "virtio_net_req.h"

static uint16_t le16(const uint8_t *b) { return (uint16_t)(b[0] | b[1] << 8); }
static void put16(uint8_t *b, uint16_t v) { b[0] = (uint8_t)v; b[1] = (uint8_t)(v >> 8); }

void net_hdr_decode(const uint8_t b[VIRTIO_NET_HDR_LEN], struct net_hdr *h)
{
	h->flags = b[0];
	h->gso_type = b[1];
	h->hdr_len = le16(b + 2);
	h->gso_size = le16(b + 4);
	h->csum_start = le16(b + 6);
	h->csum_offset = le16(b + 8);
	h->num_buffers = le16(b + 10);
}

void net_hdr_encode(const struct net_hdr *h, uint8_t b[VIRTIO_NET_HDR_LEN])
{
	b[0] = h->flags;
	b[1] = h->gso_type;
	put16(b + 2, h->hdr_len);
	put16(b + 4, h->gso_size);
	put16(b + 6, h->csum_start);
	put16(b + 8, h->csum_offset);
	put16(b + 10, h->num_buffers);
}

int net_tx_parse(const struct virtq_chain *c, struct net_hdr *h, struct iovec *frame,
		 unsigned max, unsigned *nframe, size_t *frame_len)
{
	uint8_t b[VIRTIO_NET_HDR_LEN];
	size_t len;
	int n;

	*nframe = 0;
	*frame_len = 0;
	memset(h, 0, sizeof(*h));
	if (c->n_write)
		return NET_ERR_WRITABLE;
	if (c->read_len < VIRTIO_NET_HDR_LEN ||
	    iov_to_buf(c->iov, c->n_read, 0, b, sizeof(b)) != sizeof(b))
		return NET_ERR_SHORT_HDR;
	net_hdr_decode(b, h);
	len = c->read_len - VIRTIO_NET_HDR_LEN;
	*frame_len = len;
	if (len < NET_ETH_HLEN)
		return NET_DROP_RUNT;
	if (len > NET_MAX_FRAME)
		return NET_DROP_BIG;
	/* num_buffers and the GSO fields are the driver's business only with the offloads */
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM || h->gso_type != VIRTIO_NET_GSO_NONE)
		return NET_DROP_OFFLOAD;
	n = iov_slice(c->iov, c->n_read, VIRTIO_NET_HDR_LEN, len, frame, max);
	if (n < 0)
		return NET_ERR_SEGS;
	*nframe = (unsigned)n;
	return NET_OK;
}

int net_rx_prepare(uint8_t *pkt, size_t len)
{
	struct net_hdr h;

	if (len < VIRTIO_NET_HDR_LEN + NET_ETH_HLEN)
		return NET_DROP_RUNT;
	if (len - VIRTIO_NET_HDR_LEN > NET_MAX_FRAME)
		return NET_DROP_BIG;
	net_hdr_decode(pkt, &h);
	/* the TAP has no offloads set, so a partial checksum or GSO here is a kernel surprise */
	if (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM || h.gso_type != VIRTIO_NET_GSO_NONE)
		return NET_DROP_OFFLOAD;
	/* DATA_VALID only with GUEST_CSUM: the guest checks every checksum itself */
	memset(&h, 0, sizeof(h));
	h.num_buffers = 1;
	net_hdr_encode(&h, pkt);
	return NET_OK;
}

int net_rx_copy(const struct virtq_chain *c, const uint8_t *pkt, size_t len, uint32_t *written)
{
	*written = 0;
	if (c->n_read)
		return NET_ERR_READABLE;
	if (c->write_len < len)
		return NET_DROP_NOROOM;
	*written = (uint32_t)iov_from_buf(c->iov, c->n_write, 0, pkt, len);
	return NET_OK;
}

void net_mac_derive(const char *seed, unsigned slot, unsigned fn, uint8_t mac[6])
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a, 64-bit */
	uint8_t tail[3] = { (uint8_t)slot, (uint8_t)fn, 0x6e };

	for (const char *p = seed; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
	for (unsigned i = 0; i < sizeof(tail); i++)
		h = (h ^ tail[i]) * 0x100000001b3ULL;
	mac[0] = 0x02;				/* locally administered, unicast */
	for (unsigned i = 1; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * (i - 1)));
}

const char *net_strerror(int err)
{
	switch (err) {
	case NET_OK: return "ok";
	case NET_ERR_WRITABLE: return "a device-writable buffer in a transmit chain";
	case NET_ERR_SHORT_HDR: return "a transmit chain shorter than the virtio-net header";
	case NET_ERR_READABLE: return "a device-readable buffer in a receive chain";
	case NET_ERR_SEGS: return "a transmit chain of too many segments";
	case NET_DROP_RUNT: return "a frame shorter than an Ethernet header";
	case NET_DROP_BIG: return "a frame longer than 65535 bytes";
	case NET_DROP_OFFLOAD: return "a checksum or GSO offload that was not negotiated";
	case NET_DROP_NOROOM: return "a receive buffer too small for the frame";
	default: return "unknown error";
	}
}
