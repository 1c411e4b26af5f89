/* Speculative-execution controls (include/spec_ctrl.h). Pure logic. */
#include "lib.h"
#include "spec_ctrl.h"

static bool has(const struct spec_caps *c, u32 edx_bit)
{
	return c->cpuid7_edx & edx_bit;
}

u64 spec_ctrl_valid_bits(const struct spec_caps *c)
{
	u64 bits = 0;

	if (has(c, CPUID7_EDX_IBRS_IBPB))
		bits |= SPEC_CTRL_IBRS;
	if (has(c, CPUID7_EDX_STIBP))
		bits |= SPEC_CTRL_STIBP;
	if (has(c, CPUID7_EDX_SSBD))
		bits |= SPEC_CTRL_SSBD;
	return bits;
}

int spec_ctrl_write_check(const struct spec_caps *c, u64 val)
{
	u64 valid = spec_ctrl_valid_bits(c);

	/* the MSR exists when any of its bits does */
	return valid && !(val & ~valid) ? 0 : -EINVAL;
}

int spec_pred_cmd_write_check(const struct spec_caps *c, u64 val)
{
	return has(c, CPUID7_EDX_IBRS_IBPB) && !(val & ~(u64)PRED_CMD_IBPB) ? 0 : -EINVAL;
}

int spec_flush_cmd_write_check(const struct spec_caps *c, u64 val)
{
	return has(c, CPUID7_EDX_L1D_FLUSH) && !(val & ~(u64)FLUSH_CMD_L1D) ? 0 : -EINVAL;
}

int spec_arch_caps_read(const struct spec_caps *c, u64 *val)
{
	if (!has(c, CPUID7_EDX_ARCH_CAP))
		return -EINVAL;
	*val = c->arch_caps & ARCH_CAP_GUEST_MASK;
	return 0;
}

/* Does the CPU leak stale data from buffers VERW clears (MDS, TAA, MMIO stale data, RFDS)? */
static bool buffers_leak(const struct spec_caps *c)
{
	u64 a = c->arch_caps;
	u64 mmio_no = ARCH_CAP_FBSDP_NO | ARCH_CAP_PSDP_NO | ARCH_CAP_SBDR_SSDP_NO;

	if (!(a & ARCH_CAP_MDS_NO))
		return true;
	if ((c->cpuid7_ebx & CPUID7_EBX_RTM) && !(a & ARCH_CAP_TAA_NO))
		return true;
	if ((a & mmio_no) != mmio_no)
		return true;
	return (a & ARCH_CAP_RFDS_CLEAR) && !(a & ARCH_CAP_RFDS_NO);
}

/* L1TF: guest L1D contents must be flushed before each entry (unless the CPU says not) */
static bool l1tf_affected(const struct spec_caps *c)
{
	return !(c->arch_caps & (ARCH_CAP_RDCL_NO | ARCH_CAP_SKIP_L1DFL_VMENTRY));
}

bool spec_l1tf_unmitigated(const struct spec_caps *c)
{
	return l1tf_affected(c) && !has(c, CPUID7_EDX_L1D_FLUSH);
}

enum spec_entry spec_entry_work(const struct spec_caps *c)
{
	u64 a = c->arch_caps;

	if (l1tf_affected(c) && has(c, CPUID7_EDX_L1D_FLUSH))
		return SPEC_ENTRY_L1D_FLUSH;
	/* VERW clears the buffers where MD_CLEAR (or FB_CLEAR) says so */
	if ((has(c, CPUID7_EDX_MD_CLEAR) || (a & ARCH_CAP_FB_CLEAR)) && buffers_leak(c))
		return SPEC_ENTRY_VERW;
	return SPEC_ENTRY_NONE;
}

bool spec_switch_needs_ibpb(const struct spec_caps *c, u32 last, u32 next)
{
	return has(c, CPUID7_EDX_IBRS_IBPB) && last && last != next;
}

enum { A, B, C, D };

void spec_cpuid_filter(u32 leaf, u32 sub, u32 r[4])
{
	if (leaf != 7)
		return;
	if (sub == 0)
		r[D] &= ~(CPUID7_EDX_SRBDS_CTRL | CPUID7_EDX_TSX_FORCE_ABORT | CPUID7_EDX_CORE_CAP);
	else if (sub == 2)
		r[D] &= ~CPUID7_2_EDX_CTRLS;
}
