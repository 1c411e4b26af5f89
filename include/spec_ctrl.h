/*
 * Speculative-execution controls: what a guest may see and use of the
 * CPU's (IA32_SPEC_CTRL, IA32_PRED_CMD, IA32_FLUSH_CMD,
 * IA32_ARCH_CAPABILITIES) and what the hypervisor does between VMs (IBPB)
 * and on VM entry (L1D flush or VERW). Facts from Intel's "CPUID
 * enumeration and architectural MSRs" guidance. The rules are pure logic
 * (vmm/spec_ctrl.c) over capabilities read once at boot
 * (arch/x86/cpu_spec.c), so unit tests run them on faked CPUs.
 */
#ifndef BH_SPEC_CTRL_H
#define BH_SPEC_CTRL_H

#include "types.h"

#define MSR_IA32_FLUSH_CMD		0x10B

/* CPUID.(EAX=7,ECX=0):EDX */
#define CPUID7_EDX_SRBDS_CTRL		BIT(9)	/* IA32_MCU_OPT_CTRL */
#define CPUID7_EDX_MD_CLEAR		BIT(10)	/* VERW clears CPU buffers */
#define CPUID7_EDX_TSX_FORCE_ABORT	BIT(13)	/* IA32_TSX_FORCE_ABORT */
#define CPUID7_EDX_IBRS_IBPB		BIT(26)	/* SPEC_CTRL.IBRS, PRED_CMD.IBPB */
#define CPUID7_EDX_STIBP		BIT(27)
#define CPUID7_EDX_L1D_FLUSH		BIT(28)	/* IA32_FLUSH_CMD */
#define CPUID7_EDX_ARCH_CAP		BIT(29)	/* IA32_ARCH_CAPABILITIES */
#define CPUID7_EDX_CORE_CAP		BIT(30)	/* IA32_CORE_CAPABILITIES */
#define CPUID7_EDX_SSBD			BIT(31)
/* CPUID.(EAX=7,ECX=0):EBX */
#define CPUID7_EBX_RTM			BIT(11)
/* CPUID.(EAX=7,ECX=2):EDX: further SPEC_CTRL bits (PSFD, IPRED, RRSBA, DDPD_U, BHI) */
#define CPUID7_2_EDX_CTRLS		0x1Fu

/* IA32_SPEC_CTRL (0x48) bits a guest may set, each where CPUID says so */
#define SPEC_CTRL_IBRS			BIT(0)
#define SPEC_CTRL_STIBP			BIT(1)
#define SPEC_CTRL_SSBD			BIT(2)
/* IA32_PRED_CMD (0x49) and IA32_FLUSH_CMD (0x10B): write-only commands */
#define PRED_CMD_IBPB			BIT(0)
#define FLUSH_CMD_L1D			BIT(0)

/* IA32_ARCH_CAPABILITIES (0x10A) */
#define ARCH_CAP_RDCL_NO		BIT(0)
#define ARCH_CAP_IBRS_ALL		BIT(1)
#define ARCH_CAP_RSBA			BIT(2)
#define ARCH_CAP_SKIP_L1DFL_VMENTRY	BIT(3)
#define ARCH_CAP_SSB_NO			BIT(4)
#define ARCH_CAP_MDS_NO			BIT(5)
#define ARCH_CAP_PSCHANGE_MC_NO		BIT(6)
#define ARCH_CAP_TAA_NO			BIT(8)
#define ARCH_CAP_SBDR_SSDP_NO		BIT(13)
#define ARCH_CAP_FBSDP_NO		BIT(14)
#define ARCH_CAP_PSDP_NO		BIT(15)
#define ARCH_CAP_FB_CLEAR		BIT(17)
#define ARCH_CAP_RRSBA			BIT(19)
#define ARCH_CAP_BHI_NO			BIT(20)
#define ARCH_CAP_PBRSB_NO		BIT(24)
#define ARCH_CAP_GDS_NO			BIT(26)
#define ARCH_CAP_RFDS_NO		BIT(27)
#define ARCH_CAP_RFDS_CLEAR		BIT(28)
/*
 * What a guest reads of the host's value: facts about the CPU only. Bits
 * that announce controls the hypervisor does not virtualize (TSX_CTRL,
 * FB_CLEAR_CTRL, DOITM, ...) and unknown ones read 0.
 */
#define ARCH_CAP_GUEST_MASK						\
	(ARCH_CAP_RDCL_NO | ARCH_CAP_IBRS_ALL | ARCH_CAP_RSBA |		\
	 ARCH_CAP_SKIP_L1DFL_VMENTRY | ARCH_CAP_SSB_NO | ARCH_CAP_MDS_NO |	\
	 ARCH_CAP_PSCHANGE_MC_NO | ARCH_CAP_TAA_NO | ARCH_CAP_SBDR_SSDP_NO |	\
	 ARCH_CAP_FBSDP_NO | ARCH_CAP_PSDP_NO | ARCH_CAP_FB_CLEAR |		\
	 ARCH_CAP_RRSBA | ARCH_CAP_BHI_NO | ARCH_CAP_PBRSB_NO |		\
	 ARCH_CAP_GDS_NO | ARCH_CAP_RFDS_NO | ARCH_CAP_RFDS_CLEAR)

/* The host CPU as read at boot (0 where CPUID says an MSR is absent). */
struct spec_caps {
	u32 cpuid7_ebx, cpuid7_edx;	/* CPUID.(EAX=7,ECX=0) */
	u64 arch_caps;			/* IA32_ARCH_CAPABILITIES */
};

/* What VM entry must do on this CPU: vcpu_entry.S's variants. */
enum spec_entry {
	SPEC_ENTRY_NONE,
	SPEC_ENTRY_VERW,	/* MDS/TAA/MMIO/RFDS: clear CPU buffers */
	SPEC_ENTRY_L1D_FLUSH,	/* L1TF: flush L1D (which clears the buffers too) */
};

/* IA32_SPEC_CTRL bits this CPU supports: what a guest may write. */
u64 spec_ctrl_valid_bits(const struct spec_caps *c);
/* Guest accesses: 0, or -EINVAL where the guest gets #GP (MSR absent, bad bit, read of a command). */
int spec_ctrl_write_check(const struct spec_caps *c, u64 val);
int spec_pred_cmd_write_check(const struct spec_caps *c, u64 val);
int spec_flush_cmd_write_check(const struct spec_caps *c, u64 val);
int spec_arch_caps_read(const struct spec_caps *c, u64 *val);
/* The entry work this CPU needs (the L1TF and buffer-sampling rules). */
enum spec_entry spec_entry_work(const struct spec_caps *c);
/* L1TF-affected but without IA32_FLUSH_CMD (old microcode): nothing flushes L1D, say so. */
bool spec_l1tf_unmitigated(const struct spec_caps *c);
/* A pCPU that last ran VM @last (serial; 0 = none yet) about to run @next: IBPB first? */
bool spec_switch_needs_ibpb(const struct spec_caps *c, u32 last, u32 next);
/*
 * CPUID leaf 7 as a guest may see it: sub-leaf 0 EDX without the MSRs the
 * hypervisor does not virtualize (MCU_OPT_CTRL, TSX_FORCE_ABORT,
 * CORE_CAPABILITIES); sub-leaf 2 EDX without the SPEC_CTRL bits past SSBD.
 * IBRS/IBPB, STIBP, L1D_FLUSH, ARCH_CAPABILITIES, SSBD, MD_CLEAR stay as the
 * CPU has them: each is handled. Other leaves unchanged.
 */
void spec_cpuid_filter(u32 leaf, u32 sub, u32 r[4]);

/* arch/x86/cpu_spec.c: the hardware, behind thin functions */
void cpu_spec_caps_read(struct spec_caps *c);
void cpu_spec_ctrl_write(u64 val);
void cpu_ibpb(void);
void cpu_l1d_flush(void);

#endif
