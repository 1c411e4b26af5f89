/* Fault records: pure decode, naming and the log rate limit. */
#ifndef BH_VTD_FAULT_H
#define BH_VTD_FAULT_H

#include "types.h"

/* Fault reasons we name (VT-d spec, appendix A). */
#define VTD_FR_ROOT_NOT_PRESENT		0x01
#define VTD_FR_CTX_NOT_PRESENT		0x02
#define VTD_FR_CTX_INVALID		0x03
#define VTD_FR_ADDR_BEYOND_AW		0x04
#define VTD_FR_WRITE			0x05
#define VTD_FR_READ			0x06
#define VTD_FR_PTE_ADDR			0x07
#define VTD_FR_ROOT_ADDR		0x08
#define VTD_FR_CTX_ADDR			0x09
#define VTD_FR_ROOT_RSVD		0x0A
#define VTD_FR_CTX_RSVD			0x0B
#define VTD_FR_PTE_RSVD			0x0C
#define VTD_FR_TT_BLOCKED		0x0D
#define VTD_FR_IR_RSVD_REQ		0x20
#define VTD_FR_IR_INDEX			0x21
#define VTD_FR_IR_NOT_PRESENT		0x22
#define VTD_FR_IR_TABLE_ADDR		0x23
#define VTD_FR_IR_RSVD_IRTE		0x24
#define VTD_FR_IR_COMPAT		0x25
#define VTD_FR_IR_SID			0x26

struct vtd_fault {
	u16 sid;		/* requester bus:dev.fn */
	u8 reason;
	bool ir;		/* interrupt request (reason 0x20..0x2F) */
	bool read;		/* DMA: read (T set) or write */
	u64 addr;		/* DMA: page address */
	u16 index;		/* interrupt: IRTE index */
};

/* A fault recording register's two halves (F set) into @f. */
void vtd_fault_decode(u64 lo, u64 hi, struct vtd_fault *f);
const char *vtd_fault_reason_str(u8 reason);
/* "DMA write 00:03.0 addr 0x200000: reason 0x05 (...)" or the interrupt form. */
int vtd_fault_format(const struct vtd_fault *f, char *buf, size_t len);

/* At most @burst log lines per window; the rest are counted and summarised. */
struct vtd_ratelimit {
	u64 window_start;
	unsigned printed;
	unsigned suppressed;
};

/*
 * May a line be printed at @now (any monotonic unit, @window in the same)?
 * When a new window starts after suppressions, *@dropped is set to how many
 * were suppressed in the previous one (else 0) so the caller can say so.
 */
bool vtd_ratelimit_allow(struct vtd_ratelimit *rl, u64 now, u64 window, unsigned burst,
			 unsigned *dropped);

#endif
