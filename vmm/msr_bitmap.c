/*
 * A VM's MSR bitmap (pure logic): which MSRs its vCPUs read and write
 * without an exit. Passed through: per-CPU guest state the hypervisor does
 * not need to see (partitioned CPUs make that safe) and that VMX switches or
 * the host never uses; everything else exits to vmexit_msr.c.
 */
#include "lib.h"
#include "msr_bitmap.h"
#include "x86.h"

static const u32 passthrough_msrs[] = {
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_IA32_STAR, MSR_IA32_LSTAR, MSR_IA32_CSTAR, MSR_IA32_FMASK,
	MSR_IA32_FS_BASE, MSR_IA32_GS_BASE, MSR_IA32_KERNEL_GS_BASE,
	MSR_IA32_TSC_AUX, MSR_IA32_TSC,
	/*
	 * Not IA32_XSS: its supervisor components (PT, arch LBR, HWP, ...) are
	 * host-wide hardware a guest's XRSTORS would load (include/xstate.h).
	 */
};

static void bitmap_clear(u8 *bm, u32 msr)
{
	/* read-low 0, read-high 1024, write-low 2048, write-high 3072 */
	u32 base = msr >= 0xC0000000 ? 1024 : 0, idx = msr & 0x1fff;

	bm[base + idx / 8] &= ~(1 << (idx % 8));
	bm[base + 2048 + idx / 8] &= ~(1 << (idx % 8));
}

void vmx_msr_bitmap_init(u8 *bm)
{
	memset(bm, 0xff, PAGE_SIZE);
	for (unsigned i = 0; i < ARRAY_SIZE(passthrough_msrs); i++)
		bitmap_clear(bm, passthrough_msrs[i]);
	/* TSC writes must not reach the shared hardware counter */
	bm[2048 + MSR_IA32_TSC / 8] |= 1 << (MSR_IA32_TSC % 8);
}

/* x2APIC MSRs (0x800 + offset / 16) whose reads the CPU virtualizes (SDM 29.5) */
static const u16 x2apic_virt_reads[] = {
	0x802, 0x803, 0x808, 0x80A, 0x80D, 0x80F,
	0x810, 0x811, 0x812, 0x813, 0x814, 0x815, 0x816, 0x817,	/* ISR */
	0x818, 0x819, 0x81A, 0x81B, 0x81C, 0x81D, 0x81E, 0x81F,	/* TMR */
	0x820, 0x821, 0x822, 0x823, 0x824, 0x825, 0x826, 0x827,	/* IRR */
	0x828, 0x82F, 0x830, 0x832, 0x833, 0x834, 0x835, 0x836, 0x837, 0x838, 0x83E,
};

void vmx_msr_bitmap_vcpu(u8 *bm, const u8 *base, bool apicv, bool deadline)
{
	static const u16 writes[] = { 0x808, 0x80B, 0x83F };	/* TPR, EOI, SELF IPI */

	memcpy(bm, base, PAGE_SIZE);
	if (deadline)
		bitmap_clear(bm, MSR_IA32_TSC_DEADLINE);
	if (!apicv)
		return;
	for (unsigned i = 0; i < ARRAY_SIZE(x2apic_virt_reads); i++)
		bm[x2apic_virt_reads[i] / 8] &= ~(1 << (x2apic_virt_reads[i] % 8));
	for (unsigned i = 0; i < ARRAY_SIZE(writes); i++)
		bm[2048 + writes[i] / 8] &= ~(1 << (writes[i] % 8));
}

bool msr_bitmap_exits(const u8 *bm, u32 msr, bool write)
{
	u32 base;

	if (msr <= 0x1fff)
		base = 0;
	else if (msr - 0xC0000000u <= 0x1fff)
		base = 1024;
	else
		return true;		/* outside both ranges: always an exit */
	if (write)
		base += 2048;
	return bm[base + (msr & 0x1fff) / 8] & (1 << (msr & 7));
}
