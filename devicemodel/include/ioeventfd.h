/*
 * Virtqueue notifies completed in the Service VM kernel: an ioeventfd
 * (ACRN_IOCTL_IOEVENTFD) takes the guest's write of a queue's notify address,
 * signals an eventfd and finishes the request there, so the vCPU goes on
 * without a round trip through the device model's ioreq loop. The device
 * model's kick thread waits on the eventfds and has the queue processed.
 */
#ifndef DM_IOEVENTFD_H
#define DM_IOEVENTFD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* One queue's notify eventfd and where it is registered. */
struct dm_kickfd {
	int efd;
	bool open, on;			/* eventfd made; registered at gpa for data */
	uint64_t gpa;
	uint16_t data;
};

/*
 * Register k's eventfd for 2-byte MMIO writes of data at gpa (the queue
 * index at its notify address), or take that registration away. 0 or an
 * errno; registering again first unregisters.
 */
int dm_ioeventfd_register(int hsm, struct dm_kickfd *k, uint64_t gpa, uint16_t data);
int dm_ioeventfd_unregister(int hsm, struct dm_kickfd *k);

/* ACRN_IOCTL_IOEVENTFD on hsm: 0 or an errno (a unit test may replace it). */
struct acrn_ioeventfd;
int dm_hsm_ioeventfd(int hsm, struct acrn_ioeventfd *a);

struct vdevs;

/*
 * Eventfds for the queues of each device asked for with ",ioeventfd", and a
 * thread that processes a signalled queue under lock. 0, or -1 after a
 * message (nothing left open then).
 */
int vdevs_kick_start(struct vdevs *s, int hsm, pthread_mutex_t *lock);
/* After each request (lock held): registrations follow the live queues, the BAR, resets. */
void vdevs_kick_sync(struct vdevs *s);
/* Stop the thread, unregister, close (lock not held). Safe to call again. */
void vdevs_kick_stop(struct vdevs *s);

#endif
