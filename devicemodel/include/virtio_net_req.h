/*
 * virtio-net frames, pure (virtio spec 5.1.6): the 12-byte header every
 * frame carries with VIRTIO_F_VERSION_1 (num_buffers included, MRG_RXBUF or
 * not), the checks on what the guest transmits and on what the TAP gives us
 * to receive, and the MAC a device gets when the command line names none.
 * No offloads are offered (no CSUM, GSO or TSO), so a header asking for one
 * is the driver's mistake and its frame is dropped.
 */
#ifndef DM_VIRTIO_NET_REQ_H
#define DM_VIRTIO_NET_REQ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "virtq.h"

#define VIRTIO_NET_F_MAC	5
#define VIRTIO_NET_F_MRG_RXBUF	15
#define VIRTIO_NET_F_STATUS	16
#define VIRTIO_NET_S_LINK_UP	1
#define VIRTIO_NET_HDR_LEN	12	/* struct virtio_net_hdr_mrg_rxbuf */
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
#define VIRTIO_NET_GSO_NONE	0
#define NET_ETH_HLEN		14
#define NET_MAX_FRAME		65535u	/* without the header: what a TAP takes at most */
#define NET_TX_MAX_SEGS		(VIRTQ_MAX_INDIRECT + 1)

struct net_hdr {
	uint8_t flags, gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset, num_buffers;
};

enum net_req_err {
	NET_OK = 0,
	/* the chain itself is malformed: the device needs a reset */
	NET_ERR_WRITABLE = -1,		/* a device-writable buffer in a transmit chain */
	NET_ERR_SHORT_HDR = -2,		/* a transmit chain shorter than the header */
	NET_ERR_READABLE = -3,		/* a device-readable buffer in a receive chain */
	NET_ERR_SEGS = -4,		/* more frame segments than the caller has room for */
	/* one frame is bad: dropped, counted, the device goes on */
	NET_DROP_RUNT = -10,		/* shorter than an Ethernet header */
	NET_DROP_BIG = -11,		/* longer than NET_MAX_FRAME */
	NET_DROP_OFFLOAD = -12,		/* checksum or GSO asked for, none negotiated */
	NET_DROP_NOROOM = -13,		/* the receive buffer is too small for the frame */
};

/* Little-endian header bytes <-> fields. */
void net_hdr_decode(const uint8_t b[VIRTIO_NET_HDR_LEN], struct net_hdr *h);
void net_hdr_encode(const struct net_hdr *h, uint8_t b[VIRTIO_NET_HDR_LEN]);

/*
 * A transmit chain: its header into *h and the frame after it as a list in
 * frame (room for max entries; *nframe set). NET_OK, or an error above; for
 * the NET_DROP_* ones *h and the frame are filled as far as they are known.
 */
int net_tx_parse(const struct virtq_chain *c, struct net_hdr *h, struct iovec *frame,
		 unsigned max, unsigned *nframe, size_t *frame_len);

/*
 * A packet the TAP gave (its 12-byte vnet header, then the frame), made
 * ready for the guest in place: offloads the guest did not negotiate are
 * refused (NET_DROP_OFFLOAD), flags cleared, num_buffers 1. NET_OK or a
 * NET_DROP_*.
 */
int net_rx_prepare(uint8_t *pkt, size_t len);

/*
 * Copy a prepared packet into a receive chain: NET_OK with *written the
 * bytes to report as used, NET_ERR_READABLE, or NET_DROP_NOROOM (*written 0:
 * the chain goes back unused, the frame is dropped).
 */
int net_rx_copy(const struct virtq_chain *c, const uint8_t *pkt, size_t len, uint32_t *written);

/*
 * The MAC of a device with no mac=: locally administered unicast (02:...),
 * from a hash of seed (mac_seed= or the VM name) and the PCI slot and
 * function, so it is the same at every launch.
 */
void net_mac_derive(const char *seed, unsigned slot, unsigned fn, uint8_t mac[6]);

/* What an error means, for a log line. */
const char *net_strerror(int err);

#endif
