/*
 * virtio-net's vhost-net fast path (virtio_net_vhost.c): the Service VM
 * kernel moves the frames between the guest's queues and the TAP. Kicks
 * reach it through ACRN ioeventfds on the queues' notify addresses, its
 * interrupts go out through ACRN irqfds with each queue's MSI-X message;
 * while a vector is masked (or MSI-X is off) a thread here takes the
 * interrupt instead and raises it through the transport, which keeps it in
 * the PBA. The device model only follows the driver: rings started at
 * DRIVER_OK, stopped at reset, VM reset and exit.
 */
#ifndef DM_VIRTIO_NET_VHOST_H
#define DM_VIRTIO_NET_VHOST_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio_pci.h"

struct vhost_net;

/*
 * /dev/vhost-net for the TAP fd, owned by this process; need: the feature
 * bits the device offers that vhost must take (VERSION_1 and the ring's).
 * NULL with a message in why.
 */
struct vhost_net *vhost_net_open(int tap, uint64_t need, char *why, size_t n);
/* Its interrupt thread, serving vp under lock; hsm: /dev/acrn_hsm of the VM. 0 or -1. */
int vhost_net_start(struct vhost_net *v, struct virtio_pci *vp, pthread_mutex_t *lock, int hsm);
/*
 * After each request and at reset (lock held): rings started once the driver
 * is live with both queues enabled, stopped when it is not; ioeventfds follow
 * the BAR, irqfds the queues' MSI-X messages and masks.
 */
void vhost_net_sync(struct vhost_net *v);
/* The rings stopped (lock held, or no thread): before a reset or the end of guest RAM. */
void vhost_net_halt(struct vhost_net *v);
/* A kick the transport saw (no ioeventfd caught it): passed on to vhost. */
void vhost_net_kick(struct vhost_net *v, unsigned q);
/* Thread and rings stopped (idempotent). */
void vhost_net_stop(struct vhost_net *v);
/* Stopped, one line of figures on stderr under name, closed. */
void vhost_net_close(struct vhost_net *v, const char *name);

/* Tests: every ioctl through fn and the device at dev (NULL, NULL: the real ones). */
void vhost_net_set_ioctl(int (*fn)(int fd, unsigned long req, void *arg), const char *dev);

#endif
