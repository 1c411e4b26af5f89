/*
 * Virtual local APIC (xAPIC MMIO and x2APIC MSR interfaces), pure logic.
 *
 * One struct vlapic per vCPU; the VM's vLAPICs form a struct vlapic_group
 * whose hooks are the only way out to the rest of the hypervisor:
 *   now()   current TSC (the timer's clock),
 *   kick()  "target has a new pending event (IRR bit, NMI, INIT, SIPI)":
 *           the owner wakes the pCPU that runs target. It may be called for
 *           the vCPU that is currently running on this pCPU (self IPI, timer)
 *           and must then do nothing harmful (set a flag, no IPI needed),
 *   eoi()   the guest EOIed a level-triggered vector (TMR bit set): the owner
 *           forwards it to the vIOAPIC (vioapic_eoi()).
 * Any hook may be NULL except now (needed once the timer is armed).
 *
 * Timer clock: the APIC timer counts at the TSC rate divided by the divide
 * configuration register, i.e. the APIC "bus clock" IS the TSC clock
 * (group->tsc_khz kHz, which CPUID 0x40000010 reports to the guest). One
 * count at divide-by-1 lasts one TSC tick; the TSC-deadline mode compares
 * IA32_TSC_DEADLINE with now() directly.
 *
 * Concurrency: a vLAPIC is owned by the pCPU that runs its vCPU; only that
 * pCPU calls the register, ack, timer and take_* functions. Other pCPUs may
 * call vlapic_deliver()/vlapic_accept_irq()/vlapic_deliver_msi() at any time:
 * they only touch IRR/TMR and the NMI/INIT/SIPI flags, atomically.
 */
#ifndef BH_VLAPIC_H
#define BH_VLAPIC_H

#include "types.h"

#define VLAPIC_BASE		0xFEE00000ULL	/* guest physical, fixed */
#define VLAPIC_SIZE		0x1000
#ifndef VLAPIC_GROUP_MAX
#define VLAPIC_GROUP_MAX	64		/* vCPUs (= APIC ids) per VM */
#endif

/* Register offsets in the xAPIC page (x2APIC MSR = 0x800 + offset / 16). */
#define APIC_ID		0x020
#define APIC_VER	0x030
#define APIC_TPR	0x080
#define APIC_APR	0x090
#define APIC_PPR	0x0A0
#define APIC_EOI	0x0B0
#define APIC_RRD	0x0C0
#define APIC_LDR	0x0D0
#define APIC_DFR	0x0E0
#define APIC_SVR	0x0F0
#define APIC_ISR	0x100		/* 8 registers, 16 bytes apart */
#define APIC_TMR	0x180
#define APIC_IRR	0x200
#define APIC_ESR	0x280
#define APIC_LVT_CMCI	0x2F0
#define APIC_ICR_LO	0x300
#define APIC_ICR_HI	0x310
#define APIC_LVT_TIMER	0x320
#define APIC_LVT_THERM	0x330
#define APIC_LVT_PMC	0x340
#define APIC_LVT_LINT0	0x350
#define APIC_LVT_LINT1	0x360
#define APIC_LVT_ERROR	0x370
#define APIC_TMICT	0x380		/* timer initial count */
#define APIC_TMCCT	0x390		/* timer current count */
#define APIC_DCR	0x3E0		/* timer divide configuration */
#define APIC_SELF_IPI	0x3F0		/* x2APIC only (MSR 0x83F) */

/* Version 0x14, max LVT entry 6 (CMCI present), no EOI-broadcast suppression. */
#define VLAPIC_VERSION	0x00060014u

#define MSR_IA32_APIC_BASE	0x1B
#define MSR_IA32_TSC_DEADLINE	0x6E0
#define MSR_X2APIC_FIRST	0x800
#define MSR_X2APIC_LAST		0x8FF

#define APIC_BASE_BSP		BIT(8)
#define APIC_BASE_EXTD		BIT(10)		/* x2APIC mode */
#define APIC_BASE_EN		BIT(11)		/* global enable */
#define APIC_BASE_ADDR_MASK	0x0000000FFFFFF000ULL

#define APIC_SVR_ENABLE		BIT(8)
#define APIC_LVT_MASKED		BIT(16)
#define APIC_LVT_TIMER_MODE(v)	(((v) >> 17) & 3u)
#define APIC_TIMER_ONESHOT	0
#define APIC_TIMER_PERIODIC	1
#define APIC_TIMER_TSCDEADLINE	2

/* ESR bits */
#define APIC_ESR_SEND_ILLEGAL	BIT(5)
#define APIC_ESR_RECV_ILLEGAL	BIT(6)
#define APIC_ESR_ILLEGAL_REG	BIT(7)

/* ICR fields (also the MSI data / IOAPIC RTE low-word layout). */
#define APIC_ICR_VECTOR(v)	((v) & 0xFFu)
#define APIC_ICR_DM(v)		(((v) >> 8) & 7u)
#define APIC_ICR_LOGICAL	BIT(11)
#define APIC_ICR_BUSY		BIT(12)
#define APIC_ICR_ASSERT		BIT(14)
#define APIC_ICR_LEVEL		BIT(15)
#define APIC_ICR_SH(v)		(((v) >> 18) & 3u)

/* delivery modes */
#define APIC_DM_FIXED	0
#define APIC_DM_LOWPRI	1
#define APIC_DM_SMI	2
#define APIC_DM_NMI	4
#define APIC_DM_INIT	5
#define APIC_DM_SIPI	6
#define APIC_DM_EXTINT	7

/* destination shorthands */
#define APIC_SH_NONE		0
#define APIC_SH_SELF		1
#define APIC_SH_ALL		2	/* all including self */
#define APIC_SH_OTHERS		3	/* all excluding self */

/*
 * Destination that every vLAPIC accepts, whatever its mode. xAPIC-format
 * (8-bit) destinations of the IOAPIC and MSIs must map 0xFF to this.
 */
#define VLAPIC_BROADCAST	0xFFFFFFFFu

struct vlapic;

struct vlapic_group {
	struct vlapic *vlapic[VLAPIC_GROUP_MAX];	/* index = APIC id */
	u32 count;			/* highest registered id + 1 */
	u32 tsc_khz;			/* timer/TSC clock, for the owner's use */
	u64 (*now)(void);
	void (*kick)(struct vlapic *target);
	void (*eoi)(struct vlapic_group *g, u8 vector);
	void *priv;			/* owner's pointer (VM, vIOAPIC, ...) */
};

struct vlapic {
	u32 regs[1024] __aligned(4096);	/* xAPIC page, regs[offset / 4] */
	u64 apic_base;			/* IA32_APIC_BASE */
	u64 tsc_deadline;		/* IA32_TSC_DEADLINE as the guest sees it */
	u64 timer_next;			/* TSC of the next expiry, ~0 = disarmed */
	u64 timer_period;		/* TSC ticks per period (initial count << shift) */
	u32 timer_shift;		/* log2 of the divide value */
	u32 apic_id;
	u32 esr_pending;		/* errors since the last ESR write */
	/* set by other pCPUs (atomics), consumed by the owner */
	u8 nmi_pending;
	u8 sipi_pending;
	u8 sipi_vector;
	u8 wait_sipi;			/* in wait-for-SIPI (APs at power-up, after INIT) */
	/* side by side: the vCPU's entry tests both as one word (entry_flags) */
	union {
		struct {
			u8 init_pending;
			u8 irr_hint;	/* IRR may be non-empty (set by senders, cleared when scanned empty) */
		};
		u16 entry_flags;
	};
	u8 apicv;			/* the CPU's virtual-interrupt delivery runs this page (owner sets) */
	u32 level_staged[8];		/* APICv: level vectors waiting for their EOI-exit bit */
	u8 staged_hint;			/* level_staged may be non-empty (set after a bit) */
	struct vlapic_group *group;
	void *priv;			/* owner's pointer (the vCPU) */
};

/*
 * Power-up state; registers l in g at index apic_id (must be below
 * VLAPIC_GROUP_MAX). An AP (bsp false) starts in wait-for-SIPI.
 */
void vlapic_init(struct vlapic *l, struct vlapic_group *g, u32 apic_id, bool bsp);
/* INIT state: registers reset, timer disarmed; APIC_BASE (and x2APIC mode) kept. */
void vlapic_reset(struct vlapic *l);

/*
 * xAPIC page access, offset in 0..0xFFF, 4-byte aligned. Returns -EINVAL when
 * the page is not there (x2APIC mode, globally disabled) or the offset is
 * misaligned: the caller then treats the access like unbacked memory.
 * Reserved registers read 0 and ignore writes.
 */
int vlapic_mmio_read(struct vlapic *l, u32 offset, u32 *val);
int vlapic_mmio_write(struct vlapic *l, u32 offset, u32 val);

/*
 * MSRs 0x1B, 0x6E0 and 0x800-0x8FF (x2APIC mode only). -EINVAL means the
 * guest's RDMSR/WRMSR must get #GP(0) (reserved MSR or bits, write to a
 * read-only register, read of EOI/SELF IPI, invalid APIC_BASE transition).
 */
bool vlapic_msr_is_apic(u32 msr);
int vlapic_msr_read(struct vlapic *l, u32 msr, u64 *val);
int vlapic_msr_write(struct vlapic *l, u32 msr, u64 val);
/* The x2APIC ICR (MSR 0x830) alone, what vlapic_msr_write does for it: every IPI passes here. */
#define MSR_X2APIC_ICR		0x830
int vlapic_x2apic_icr_write(struct vlapic *l, u64 val);

/* CR8 = TPR[7:4], for MOV to/from CR8 exits in 64-bit guests. */
u64 vlapic_get_cr8(const struct vlapic *l);
void vlapic_set_cr8(struct vlapic *l, u64 cr8);

/*
 * Fixed interrupt arrives: sets IRR (and TMR when level, else clears it)
 * and kicks. Dropped while the APIC is disabled; vectors 0-15 only set
 * ESR "receive illegal vector". Safe from any pCPU.
 */
void vlapic_accept_irq(struct vlapic *l, u8 vector, bool level);
/* Highest IRR vector whose priority class is above PPR's, or -1. */
int vlapic_pending_vector_scan(struct vlapic *l);
/* hot path on every VM entry: no IRR scan unless something arrived */
static inline int vlapic_pending_vector(struct vlapic *l)
{
	if (!__atomic_load_n(&l->irr_hint, __ATOMIC_ACQUIRE))
		return -1;
	return vlapic_pending_vector_scan(l);
}
/* The caller injected vector (from vlapic_pending_vector): IRR -> ISR. */
void vlapic_ack(struct vlapic *l, u8 vector);

/*
 * Timer. vlapic_timer_check() raises the LVT timer interrupt when the
 * expiry is due (periodic: reloads); cheap when nothing is armed, so call
 * it on every exit and before every entry. vlapic_next_event() is the TSC
 * of the next expiry (~0ULL = none), for the owner's wake-up timer.
 */
void vlapic_timer_expire(struct vlapic *l);
/*
 * The owner may let the guest's IA32_TSC_DEADLINE writes arm a hardware
 * timer of its own while the LVT timer is in TSC-deadline mode (the MSR is
 * then kept there, not here: move it with vlapic_msr_read/write of 0x6E0);
 * when that timer fires it calls vlapic_timer_deadline_fired(), which
 * raises the LVT timer interrupt unless the LVT is masked or changed mode.
 */
bool vlapic_timer_deadline_mode(const struct vlapic *l);
void vlapic_timer_deadline_fired(struct vlapic *l);
static inline u64 vlapic_next_event(const struct vlapic *l)
{
	return l->timer_next;
}
static inline void vlapic_timer_check(struct vlapic *l)
{
	if (__builtin_expect(l->timer_next != ~0ULL, 0))
		vlapic_timer_expire(l);
}

/*
 * Send an interrupt message to the group. dest/logical as in the ICR
 * (x2APIC: 32-bit dest; xAPIC: 8-bit), each target matching in its own
 * mode; shorthand APIC_SH_*; self is the sender (may be NULL when the
 * shorthand is NONE). Fixed goes to every match, lowest priority to the
 * first enabled match; NMI/INIT/SIPI set the target's flags; SMI/ExtINT
 * are dropped. level = level-triggered (TMR) for fixed/lowest priority.
 */
void vlapic_deliver(struct vlapic_group *g, u32 dest, bool logical, u32 delivery_mode,
		    u8 vector, bool level, int shorthand, struct vlapic *self);
/* MSI write (address 0xFEExxxxx, data): -EINVAL if not an interrupt address. */
int vlapic_deliver_msi(struct vlapic_group *g, u64 addr, u32 data);

/*
 * INIT/SIPI/NMI for the vCPU loop (call on the owner pCPU, INIT first):
 * vlapic_take_init() consumes a pending INIT, resets the vLAPIC and enters
 * wait-for-SIPI: the caller resets the vCPU and stops running it.
 * vlapic_take_sipi() returns the start-up vector (-1 if none) of a SIPI that
 * arrived while waiting: start the vCPU in real mode at CS=vector<<8, IP=0.
 * SIPIs outside wait-for-SIPI are dropped, as on hardware.
 */
bool vlapic_take_init(struct vlapic *l);
int vlapic_take_sipi(struct vlapic *l);
bool vlapic_waiting_sipi(const struct vlapic *l);
bool vlapic_take_nmi(struct vlapic *l);

static inline u32 vlapic_reg(const struct vlapic *l, u32 offset)
{
	return l->regs[offset >> 2];
}

static inline bool vlapic_x2apic_mode(const struct vlapic *l)
{
	return (l->apic_base & (APIC_BASE_EN | APIC_BASE_EXTD)) ==
	       (APIC_BASE_EN | APIC_BASE_EXTD);
}

static inline bool vlapic_hw_enabled(const struct vlapic *l)
{
	return (l->apic_base & APIC_BASE_EN) != 0;
}

static inline bool vlapic_sw_enabled(const struct vlapic *l)
{
	return (vlapic_reg(l, APIC_SVR) & APIC_SVR_ENABLE) != 0;
}

/*
 * APIC virtualization (dm/vlapic_apicv.c). With the CPU's virtual-interrupt
 * delivery the regs page is the virtual-APIC page: the CPU moves IRR to ISR,
 * keeps PPR and acknowledges EOIs itself; the owner mirrors the highest IRR
 * vector into RVI at entry. A level-triggered vector must not reach IRR
 * before its EOI-exit bit is set (its EOI would pass unseen): senders stage
 * it, and the owner moves it to IRR once the bitmap is written.
 */
void vlapic_set_apicv(struct vlapic *l, bool on);
bool vlapic_take_staged(struct vlapic *l, u32 staged[8]);
void vlapic_irr_merge(struct vlapic *l, const u32 bits[8]);
int vlapic_highest_irr(const struct vlapic *l);
int vlapic_highest_isr(const struct vlapic *l);
void vlapic_tmr_bitmap(const struct vlapic *l, u64 out[4]);	/* for the EOI-exit bitmap */
/* An EOI the CPU virtualized and reported (EOI-exit bitmap): level vectors go to eoi(). */
void vlapic_eoi_exit(struct vlapic *l, u8 vector);

/* Shared by vlapic.c, vlapic_timer.c and vlapic_apicv.c; not for other callers. */
int vlapic_highest_vector(const struct vlapic *l, u32 base);
void vlapic_timer_reset(struct vlapic *l);
void vlapic_timer_lvt_written(struct vlapic *l, u32 old_lvt);
void vlapic_timer_tmict_written(struct vlapic *l, u32 count);
void vlapic_timer_dcr_written(struct vlapic *l, u32 dcr);
u32 vlapic_timer_current_count(const struct vlapic *l);
u64 vlapic_timer_deadline_read(const struct vlapic *l);
void vlapic_timer_deadline_write(struct vlapic *l, u64 tsc);

#endif
