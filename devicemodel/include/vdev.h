/*
 * The virtio devices of a post-launched VM: each is the transport
 * (virtio_pci.c) plus its kind's back-end (virtio_blk.c, virtio_rng.c).
 * They are opened once from the command line (files checked before the VM
 * exists) and attached to the VM's PCI space at every power-on and reset.
 */
#ifndef DM_VDEV_H
#define DM_VDEV_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dm_config.h"
#include "ioeventfd.h"
#include "virtio_blk_req.h"
#include "virtio_net_req.h"
#include "virtio_net_vhost.h"
#include "virtio_pci.h"

/* virtio-net's back-end (virtio_net.c): the TAP, the receive thread, figures. */
struct vnet {
	int tap, stop;			/* the TAP; an eventfd that ends the receive thread */
	pthread_mutex_t *lock;		/* the devices' lock (launch.c) */
	pthread_t thr;
	bool thr_on;
	uint8_t mac[6];
	uint8_t rx[VIRTIO_NET_HDR_LEN + NET_MAX_FRAME];
	uint64_t tx_frames, tx_bytes, tx_drop, tx_err;
	uint64_t rx_frames, rx_bytes, rx_nobuf, rx_notready, rx_drop;
	struct vhost_net *vh;		/* the vhost option: the kernel moves the frames */
};

struct vdev {
	struct virtio_pci vp;
	struct virtio_pci_desc desc;	/* per device: features depend on its options */
	const struct dm_dev *cfg;
	int fd;				/* the image (blk), the entropy source (rng) */
	uint64_t capacity;		/* blk: bytes, whole sectors */
	char serial[VIRTIO_BLK_ID_BYTES + 1];
	uint64_t reqs, bytes;		/* figures for the closing line */
	/* console: what the back-end sent that the guest has not taken yet */
	uint8_t *rx;
	unsigned rx_len;
	bool from_stdin;
	uint64_t rx_dropped;
	struct vnet *net;		/* virtio-net: its TAP and receive thread (virtio_net.c) */
	/* ",ioeventfd": each queue's notify eventfd (ioeventfd.c) */
	struct dm_kickfd kick[VIRTIO_PCI_MAX_QUEUES];
	uint64_t evfd_kicks, evfd_regs;
};

/* Open each kind's back-end: 0, or -1 with a message in why. */
int virtio_blk_open(struct vdev *d, const struct dm_dev *c, char *why, size_t n);
int virtio_rng_open(struct vdev *d, const struct dm_dev *c, char *why, size_t n);
int virtio_console_open(struct vdev *d, const struct dm_dev *c, char *why, size_t n);
/* virtio-net: the MAC derives from vm_name unless the command line gives one. */
int virtio_net_open(struct vdev *d, const struct dm_dev *c, const char *vm_name, char *why, size_t n);
/* The same on an open fd that passes frames with their 12-byte header (tests: a socket pair). */
int virtio_net_open_fd(struct vdev *d, const struct dm_dev *c, const char *vm_name, int fd,
		       char *why, size_t n);
/*
 * Its thread (the receive thread, or with vhost the one that takes masked
 * interrupts), which serves the device under lock; stopped by virtio_net_stop.
 * hsm: the VM's /dev/acrn_hsm (vhost's ioeventfds and irqfds).
 */
int virtio_net_start(struct vdev *d, pthread_mutex_t *lock, int hsm);
/* vhost: follow the driver after each request (lock held). */
void virtio_net_sync(struct vdev *d);
void virtio_net_stop(struct vdev *d);
/* Stop, one line of figures, TAP closed. */
void virtio_net_close(struct vdev *d);
/* Bytes for the console's port (its back-end's input): kept until the guest has buffers. */
void virtio_console_input(struct vdev *d, const uint8_t *buf, size_t n);

struct vdevs {
	unsigned n;
	struct vdev dev[DM_PCI_SLOTS * DM_PCI_FUNCS];
	/* the kick thread (ioeventfd.c): running when kick_on */
	bool kick_on;
	int hsm, epfd, stopfd;
	pthread_t kick_thr;
	pthread_mutex_t *lock;
};

/* Every virtio device of cfg (kinds built so far): 0, or -1 after a message on stderr. */
int vdevs_open(struct vdevs *s, const struct dm_config *cfg);
/* Power-on: each device's function in p, its queues in mem, its MSIs through inject. */
int vdevs_attach(struct vdevs *s, struct pcicfg *p, const struct gmem *mem,
		 int (*inject)(void *ctx, uint64_t addr, uint32_t data), void *ctx);
/* An MMIO access: true if a device's BAR has it (*v: a read's value). */
bool vdevs_mmio(struct vdevs *s, uint64_t gpa, unsigned size, bool write, uint64_t *v);
/* The device that reads the device model's stdin, or NULL. */
struct vdev *vdevs_stdin(struct vdevs *s);
/*
 * Once the VM exists: the back-ends' own threads (virtio-net's receive), which
 * serve their devices under lock. vdevs_stop ends them (before the VM is
 * paused and its RAM goes); the devices stay attached. 0 or -1 after a message.
 */
int vdevs_start(struct vdevs *s, pthread_mutex_t *lock, int hsm);
void vdevs_stop(struct vdevs *s);
/* After each request completed: the work kicks asked for. */
void vdevs_run(struct vdevs *s);
/* One line of figures per device on stderr, then the back-ends closed. */
void vdevs_close(struct vdevs *s);

#endif
