/*
 * A pre-launched VM's CMOS RTC (dm/vrtc.c): the MC146818 registers at ports
 * 0x70/0x71 with a clock that starts at 2000-01-01 00:00:00 when the VM is
 * built (no wall-clock source is the VM's), 24-hour BCD by default, no
 * alarm, periodic or update interrupts, and 114 bytes of CMOS RAM. Linux
 * reads its time at boot and polls "update in progress" (register A) until
 * it reads clear: on floating ports that took it ~40,000 exits and 1 s.
 */
#ifndef BH_VRTC_H
#define BH_VRTC_H

#include "types.h"
#include "spinlock.h"

#define VRTC_PORT	0x70
#define VRTC_EPOCH_YEAR	2000

struct vrtc {
	u8 index;		/* last written to port 0x70, NMI-mask bit dropped */
	u8 ram[128];		/* registers 0x0A-0x7F as written (0x00-0x09: the clock) */
	u64 start_tsc;		/* the clock's 2000-01-01 00:00:00 */
	spinlock_t lock;
};

/* Pure logic: register reg at secs seconds past the epoch, and writes. */
void vrtc_reset(struct vrtc *r, u64 start_tsc);
u8 vrtc_reg_read(const struct vrtc *r, u8 reg, u64 secs);
void vrtc_reg_write(struct vrtc *r, u8 reg, u8 val);

#endif
