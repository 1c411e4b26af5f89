/* Fault record decode, naming and the log rate limit (pure). */
#include "lib.h"
#include "pci.h"
#include "vtd_fault.h"

void vtd_fault_decode(u64 lo, u64 hi, struct vtd_fault *f)
{
	memset(f, 0, sizeof(*f));
	f->sid = hi & 0xffff;
	f->reason = (hi >> 32) & 0xff;
	f->ir = f->reason >= 0x20 && f->reason <= 0x2f;
	if (f->ir) {
		f->index = lo >> 48;	/* FI[63:48] holds the interrupt index */
	} else {
		f->addr = lo & ~0xfffULL;
		f->read = hi & BIT(62);	/* T: 1 read, 0 write */
	}
}

const char *vtd_fault_reason_str(u8 reason)
{
	switch (reason) {
	case VTD_FR_ROOT_NOT_PRESENT:	return "root entry not present";
	case VTD_FR_CTX_NOT_PRESENT:	return "context entry not present (device blocked)";
	case VTD_FR_CTX_INVALID:	return "invalid context entry";
	case VTD_FR_ADDR_BEYOND_AW:	return "address beyond the domain's width";
	case VTD_FR_WRITE:		return "write to a page not mapped writable";
	case VTD_FR_READ:		return "read from a page not mapped readable";
	case VTD_FR_PTE_ADDR:		return "paging entry address invalid";
	case VTD_FR_ROOT_ADDR:		return "root table address invalid";
	case VTD_FR_CTX_ADDR:		return "context table pointer invalid";
	case VTD_FR_ROOT_RSVD:		return "reserved bits in root entry";
	case VTD_FR_CTX_RSVD:		return "reserved bits in context entry";
	case VTD_FR_PTE_RSVD:		return "reserved bits in paging entry";
	case VTD_FR_TT_BLOCKED:		return "translation type blocked";
	case VTD_FR_IR_RSVD_REQ:	return "reserved bits in interrupt request";
	case VTD_FR_IR_INDEX:		return "interrupt index beyond the table";
	case VTD_FR_IR_NOT_PRESENT:	return "IRTE not present";
	case VTD_FR_IR_TABLE_ADDR:	return "interrupt table address invalid";
	case VTD_FR_IR_RSVD_IRTE:	return "reserved bits in IRTE";
	case VTD_FR_IR_COMPAT:		return "compatibility-format interrupt blocked";
	case VTD_FR_IR_SID:		return "source-id check failed";
	default:			return "unknown reason";
	}
}

int vtd_fault_format(const struct vtd_fault *f, char *buf, size_t len)
{
	if (f->ir)
		return snprintf(buf, len, "interrupt from %02x:%02x.%u index %u: reason 0x%02x (%s)",
				PCI_BUS(f->sid), PCI_DEV(f->sid), PCI_FN(f->sid), f->index,
				f->reason, vtd_fault_reason_str(f->reason));
	return snprintf(buf, len, "DMA %s from %02x:%02x.%u addr 0x%lx: reason 0x%02x (%s)",
			f->read ? "read" : "write", PCI_BUS(f->sid), PCI_DEV(f->sid),
			PCI_FN(f->sid), (unsigned long)f->addr, f->reason,
			vtd_fault_reason_str(f->reason));
}

bool vtd_ratelimit_allow(struct vtd_ratelimit *rl, u64 now, u64 window, unsigned burst,
			 unsigned *dropped)
{
	*dropped = 0;
	if (now - rl->window_start >= window || now < rl->window_start) {
		*dropped = rl->suppressed;
		rl->window_start = now;
		rl->printed = 0;
		rl->suppressed = 0;
	}
	if (rl->printed < burst) {
		rl->printed++;
		return true;
	}
	rl->suppressed++;
	return false;
}
