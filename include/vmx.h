/* VMX: VMCS field encodings, control bits, exit reasons, VMX instructions. */
#ifndef BH_VMX_H
#define BH_VMX_H

#include "types.h"

/* VMX capability MSRs */
#define MSR_VMX_BASIC		0x480
#define MSR_VMX_PINBASED	0x481
#define MSR_VMX_PROCBASED	0x482
#define MSR_VMX_EXIT		0x483
#define MSR_VMX_ENTRY		0x484
#define MSR_VMX_MISC		0x485
#define MSR_VMX_CR0_FIXED0	0x486
#define MSR_VMX_CR0_FIXED1	0x487
#define MSR_VMX_CR4_FIXED0	0x488
#define MSR_VMX_CR4_FIXED1	0x489
#define MSR_VMX_PROCBASED2	0x48B
#define MSR_VMX_EPT_VPID_CAP	0x48C
#define MSR_VMX_TRUE_PIN	0x48D
#define MSR_VMX_TRUE_PROC	0x48E
#define MSR_VMX_TRUE_EXIT	0x48F
#define MSR_VMX_TRUE_ENTRY	0x490

/* 16-bit fields */
#define VMCS_VPID		0x0000
#define VMCS_GUEST_INTR_STATUS	0x0810	/* RVI (7:0), SVI (15:8) */
#define VMCS_GUEST_ES_SEL	0x0800	/* ES, CS, SS, DS, FS, GS, LDTR, TR: +2 each */
#define VMCS_HOST_ES_SEL	0x0C00
#define VMCS_HOST_CS_SEL	0x0C02
#define VMCS_HOST_SS_SEL	0x0C04
#define VMCS_HOST_DS_SEL	0x0C06
#define VMCS_HOST_FS_SEL	0x0C08
#define VMCS_HOST_GS_SEL	0x0C0A
#define VMCS_HOST_TR_SEL	0x0C0C
/* 64-bit fields */
#define VMCS_IO_BITMAP_A	0x2000
#define VMCS_IO_BITMAP_B	0x2002
#define VMCS_MSR_BITMAP		0x2004
#define VMCS_EXIT_MSR_STORE	0x2006
#define VMCS_EXIT_MSR_LOAD	0x2008
#define VMCS_ENTRY_MSR_LOAD	0x200A
#define VMCS_TSC_OFFSET		0x2010
#define VMCS_VIRT_APIC_ADDR	0x2012
#define VMCS_EPTP		0x201A
#define VMCS_EOI_EXIT0		0x201C	/* EOI-exit bitmaps 0-3: +2 each */
#define VMCS_XSS_EXITING_BITMAP	0x202C
#define VMCS_GUEST_PHYS_ADDR	0x2400
#define VMCS_LINK_POINTER	0x2800
#define VMCS_GUEST_DEBUGCTL	0x2802
#define VMCS_GUEST_PAT		0x2804
#define VMCS_GUEST_EFER		0x2806
#define VMCS_GUEST_PDPTE0	0x280A
#define VMCS_HOST_PAT		0x2C00
#define VMCS_HOST_EFER		0x2C02
/* 32-bit fields */
#define VMCS_PIN_CTLS		0x4000
#define VMCS_PROC_CTLS		0x4002
#define VMCS_EXCEPTION_BITMAP	0x4004
#define VMCS_CR3_TARGET_COUNT	0x400A
#define VMCS_EXIT_CTLS		0x400C
#define VMCS_EXIT_MSR_STORE_CNT	0x400E
#define VMCS_EXIT_MSR_LOAD_CNT	0x4010
#define VMCS_ENTRY_CTLS		0x4012
#define VMCS_ENTRY_MSR_LOAD_CNT	0x4014
#define VMCS_ENTRY_INTR_INFO	0x4016
#define VMCS_ENTRY_EXC_ERROR	0x4018
#define VMCS_ENTRY_INSN_LEN	0x401A
#define VMCS_TPR_THRESHOLD	0x401C
#define VMCS_PROC_CTLS2		0x401E
#define VMCS_INSN_ERROR		0x4400
#define VMCS_EXIT_REASON	0x4402
#define VMCS_EXIT_INTR_INFO	0x4404
#define VMCS_EXIT_INTR_ERROR	0x4406
#define VMCS_IDT_VECTORING_INFO	0x4408
#define VMCS_IDT_VECTORING_ERR	0x440A
#define VMCS_EXIT_INSN_LEN	0x440C
#define VMCS_EXIT_INSN_INFO	0x440E
#define VMCS_GUEST_ES_LIMIT	0x4800	/* +2 each as the selectors */
#define VMCS_GUEST_GDTR_LIMIT	0x4810
#define VMCS_GUEST_IDTR_LIMIT	0x4812
#define VMCS_GUEST_ES_AR	0x4814	/* +2 each as the selectors */
#define VMCS_GUEST_INTERRUPTIBILITY 0x4824
#define VMCS_GUEST_ACTIVITY	0x4826
#define VMCS_GUEST_SYSENTER_CS	0x482A
#define VMCS_PREEMPTION_TIMER	0x482E
#define VMCS_HOST_SYSENTER_CS	0x4C00
/* natural-width fields */
#define VMCS_CR0_MASK		0x6000
#define VMCS_CR4_MASK		0x6002
#define VMCS_CR0_SHADOW		0x6004
#define VMCS_CR4_SHADOW		0x6006
#define VMCS_EXIT_QUAL		0x6400
#define VMCS_GUEST_LINEAR_ADDR	0x640A
#define VMCS_GUEST_CR0		0x6800
#define VMCS_GUEST_CR3		0x6802
#define VMCS_GUEST_CR4		0x6804
#define VMCS_GUEST_ES_BASE	0x6806	/* +2 each as the selectors */
#define VMCS_GUEST_GDTR_BASE	0x6816
#define VMCS_GUEST_IDTR_BASE	0x6818
#define VMCS_GUEST_DR7		0x681A
#define VMCS_GUEST_RSP		0x681C
#define VMCS_GUEST_RIP		0x681E
#define VMCS_GUEST_RFLAGS	0x6820
#define VMCS_GUEST_PENDING_DBG	0x6822
#define VMCS_GUEST_SYSENTER_ESP	0x6824
#define VMCS_GUEST_SYSENTER_EIP	0x6826
#define VMCS_HOST_CR0		0x6C00
#define VMCS_HOST_CR3		0x6C02
#define VMCS_HOST_CR4		0x6C04
#define VMCS_HOST_FS_BASE	0x6C06
#define VMCS_HOST_GS_BASE	0x6C08
#define VMCS_HOST_TR_BASE	0x6C0A
#define VMCS_HOST_GDTR_BASE	0x6C0C
#define VMCS_HOST_IDTR_BASE	0x6C0E
#define VMCS_HOST_SYSENTER_ESP	0x6C10
#define VMCS_HOST_SYSENTER_EIP	0x6C12
#define VMCS_HOST_RSP		0x6C14
#define VMCS_HOST_RIP		0x6C16

enum seg_reg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };

/* controls */
#define PIN_EXT_INT_EXIT	BIT(0)
#define PIN_NMI_EXIT		BIT(3)
#define PIN_VIRTUAL_NMI		BIT(5)
#define PIN_PREEMPT_TIMER	BIT(6)
#define PROC_INTR_WINDOW	BIT(2)
#define PROC_HLT_EXIT		BIT(7)
#define PROC_CR3_LOAD_EXIT	BIT(15)
#define PROC_CR3_STORE_EXIT	BIT(16)
#define PROC_CR8_LOAD_EXIT	BIT(19)
#define PROC_CR8_STORE_EXIT	BIT(20)
#define PROC_TPR_SHADOW		BIT(21)
#define PROC_NMI_WINDOW		BIT(22)
#define PROC_UNCOND_IO_EXIT	BIT(24)
#define PROC_IO_BITMAPS		BIT(25)
#define PROC_MSR_BITMAPS	BIT(28)
#define PROC_SECONDARY		BIT(31)
#define PROC2_EPT		BIT(1)
#define PROC2_RDTSCP		BIT(3)
#define PROC2_VIRT_X2APIC	BIT(4)
#define PROC2_VPID		BIT(5)
#define PROC2_WBINVD_EXIT	BIT(6)
#define PROC2_UNRESTRICTED	BIT(7)
#define PROC2_APIC_REG_VIRT	BIT(8)
#define PROC2_VIRT_INTR		BIT(9)
#define PROC2_INVPCID		BIT(12)
/* APIC virtualization as bulkhead uses it: x2APIC guests only, all three or none */
#define PROC2_APICV		(PROC2_VIRT_X2APIC | PROC2_APIC_REG_VIRT | PROC2_VIRT_INTR)
#define PROC2_XSAVES		BIT(20)
#define EXIT_HOST_ADDR64	BIT(9)
#define EXIT_ACK_INTR		BIT(15)
#define EXIT_SAVE_PAT		BIT(18)
#define EXIT_LOAD_PAT		BIT(19)
#define EXIT_SAVE_EFER		BIT(20)
#define EXIT_LOAD_EFER		BIT(21)
#define ENTRY_LOAD_DEBUG	BIT(2)
#define ENTRY_IA32E_GUEST	BIT(9)
#define ENTRY_LOAD_PAT		BIT(14)
#define ENTRY_LOAD_EFER		BIT(15)

/* interruption information (entry and exit) */
#define INTR_INFO_VALID		BIT(31)
#define INTR_INFO_ERROR_CODE	BIT(11)
#define INTR_TYPE_EXT		(0 << 8)
#define INTR_TYPE_NMI		(2 << 8)
#define INTR_TYPE_HW_EXC	(3 << 8)
#define INTR_TYPE_SW_INT	(4 << 8)
#define INTR_TYPE_SW_EXC	(6 << 8)

#define INTERRUPTIBILITY_STI	BIT(0)
#define INTERRUPTIBILITY_MOVSS	BIT(1)
#define INTERRUPTIBILITY_NMI	BIT(3)

/* exit reasons (SDM vol. 3, appendix C) */
enum vmx_exit_reason {
	EXIT_EXCEPTION_NMI = 0, EXIT_EXT_INTR = 1, EXIT_TRIPLE_FAULT = 2,
	EXIT_INIT = 3, EXIT_SIPI = 4, EXIT_IO_SMI = 5, EXIT_OTHER_SMI = 6,
	EXIT_INTR_WINDOW = 7, EXIT_NMI_WINDOW = 8, EXIT_TASK_SWITCH = 9,
	EXIT_CPUID = 10, EXIT_GETSEC = 11, EXIT_HLT = 12, EXIT_INVD = 13,
	EXIT_INVLPG = 14, EXIT_RDPMC = 15, EXIT_RDTSC = 16, EXIT_RSM = 17,
	EXIT_VMCALL = 18, EXIT_VMCLEAR = 19, EXIT_VMLAUNCH = 20,
	EXIT_VMPTRLD = 21, EXIT_VMPTRST = 22, EXIT_VMREAD = 23,
	EXIT_VMRESUME = 24, EXIT_VMWRITE = 25, EXIT_VMXOFF = 26,
	EXIT_VMXON = 27, EXIT_CR_ACCESS = 28, EXIT_DR_ACCESS = 29,
	EXIT_IO = 30, EXIT_RDMSR = 31, EXIT_WRMSR = 32,
	EXIT_INVALID_GUEST = 33, EXIT_MSR_LOAD_FAIL = 34, EXIT_MWAIT = 36,
	EXIT_MTF = 37, EXIT_MONITOR = 39, EXIT_PAUSE = 40,
	EXIT_MCE_DURING_ENTRY = 41, EXIT_TPR_BELOW = 43, EXIT_APIC_ACCESS = 44,
	EXIT_VIRT_EOI = 45, EXIT_GDTR_IDTR = 46, EXIT_LDTR_TR = 47,
	EXIT_EPT_VIOLATION = 48, EXIT_EPT_MISCONFIG = 49, EXIT_INVEPT = 50,
	EXIT_RDTSCP = 51, EXIT_PREEMPT_TIMER = 52, EXIT_INVVPID = 53,
	EXIT_WBINVD = 54, EXIT_XSETBV = 55, EXIT_APIC_WRITE = 56,
	EXIT_RDRAND = 57, EXIT_INVPCID = 58, EXIT_VMFUNC = 59, EXIT_ENCLS = 60,
	EXIT_RDSEED = 61, EXIT_PML_FULL = 62, EXIT_XSAVES = 63, EXIT_XRSTORS = 64,
	NR_EXIT_REASONS = 70,
};

const char *vmx_exit_name(unsigned reason);

#ifdef UNIT_TEST
/* host unit tests of exit handlers supply a VMCS of their own (tests/unit/fake_vmcs.c) */
u64 vmread(u64 field);
void vmwrite(u64 field, u64 v);
#else
static inline u64 vmread(u64 field)
{
	u64 v;

	asm volatile("vmread %1, %0" : "=rm"(v) : "r"(field) : "cc");
	return v;
}

static inline void vmwrite(u64 field, u64 v)
{
	asm volatile("vmwrite %1, %0" :: "r"(field), "rm"(v) : "cc", "memory");
}
#endif

#ifdef UNIT_TEST
/* host unit tests: a VMCS made current or cleared is only recorded */
int vmptrld(u64 pa);
int vmclear(u64 pa);
#else
static inline int vmptrld(u64 pa)
{
	u8 fail;

	asm volatile("vmptrld %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -1 : 0;
}

static inline int vmclear(u64 pa)
{
	u8 fail;

	asm volatile("vmclear %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -1 : 0;
}
#endif

struct vmx_caps {
	u32 revision;
	bool true_ctls;
	u64 pin, proc, proc2, exit, entry;	/* allowed-0 (low) / allowed-1 (high) */
	u64 misc, ept_vpid;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	unsigned preempt_shift;			/* timer ticks = TSC >> shift */
};

extern struct vmx_caps vmx_caps;

/* The CPU (as masked by apicv=off) has what vmm/vcpu_lapic.c needs. */
static inline bool vmx_has_apicv(void)
{
	return (vmx_caps.proc >> 32 & PROC_TPR_SHADOW) &&
	       ((vmx_caps.proc2 >> 32) & PROC2_APICV) == PROC2_APICV;
}
/* The boot option apicv=off: the capability is masked, as on a CPU without it. */
static inline void vmx_mask_apicv(void)
{
	vmx_caps.proc2 &= ~((u64)PROC2_APICV << 32);
}

int vmx_check_caps(void);			/* BSP: stop with a clear message if missing */
int vmx_cpu_enable(void);			/* VMXON on this CPU */
void invept_single(u64 eptp);
void invvpid_single(u16 vpid);

#endif
