/* Launching and serving a post-launched VM through /dev/acrn_hsm (launch.c). */
#ifndef DM_LAUNCH_H
#define DM_LAUNCH_H

#include "dm_config.h"

/*
 * Create the VM, give it RAM, boot Linux (-k/-r/-B) in it and serve its I/O
 * until it powers off (returns 0) or a SIGTERM/SIGINT arrives (returns
 * 128 + the signal); a failure on the way returns 3 with a message. The VM is
 * destroyed in every case once it was created.
 */
int dm_launch(const struct dm_config *cfg);

#endif
