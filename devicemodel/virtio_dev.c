/* A guest that breaks its device stops that device only, with one line that says how. */
#include "dm_log.h"
#include "virtio_dev.h"

/* A guest may break, reset and break again in a loop: at most 10 lines in 5 s for all devices. */
static struct dm_ratelimit reset_lines = DM_RATELIMIT_INIT(5000, 10);

bool virtio_needs_reset(struct virtio_dev *d, const char *queue, const char *why)
{
	if (d->status & VIRTIO_STATUS_NEEDS_RESET)
		return false;
	d->status |= VIRTIO_STATUS_NEEDS_RESET;
	dm_log_limited(&reset_lines, "%s: %s: %s; device stopped until the driver resets it",
		       d->name, queue, why);
	return true;
}
