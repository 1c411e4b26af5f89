/*
 * Virtual local APIC: registers, interrupt acceptance and priority, IPIs.
 * The timer lives in vlapic_timer.c. Facts from Intel SDM vol. 3, ch. 11.
 */
#include "vlapic.h"
#include "errno.h"
#include "lib.h"

#define VEC_WORD(v)	(((u32)(v) >> 5) << 2)	/* index step of 16 bytes in regs[] */
#define VEC_BIT(v)	(1u << ((v) & 31))

/* Writable bits of the LVT registers; x2APIC also tolerates the RO bits. */
#define LVT_TIMER_W	0x000700FFu
#define LVT_TIMER_RO	0x00001000u
#define LVT_INT_W	0x000107FFu	/* CMCI, thermal, PMC */
#define LVT_INT_RO	0x00001000u
#define LVT_LINT_W	0x0001A7FFu
#define LVT_LINT_RO	0x00005000u
#define LVT_ERROR_W	0x000100FFu
#define LVT_ERROR_RO	0x00001000u
#define SVR_W		0x000003FFu
/* x2APIC ICR: must-be-zero bits 13, 16-17, 20-31; BUSY (12) is ignored. */
#define ICR_X2_RSVD	0xFFF32000u

static const u32 lvt_regs[] = {
	APIC_LVT_CMCI, APIC_LVT_TIMER, APIC_LVT_THERM, APIC_LVT_PMC,
	APIC_LVT_LINT0, APIC_LVT_LINT1, APIC_LVT_ERROR,
};

static inline u32 *reg_ptr(struct vlapic *l, u32 offset)
{
	return &l->regs[offset >> 2];
}

static inline void reg_set(struct vlapic *l, u32 offset, u32 val)
{
	l->regs[offset >> 2] = val;
}

static void kick(struct vlapic *l)
{
	if (l->group && l->group->kick)
		l->group->kick(l);
}

/* Highest set vector in a 256-bit ISR/TMR/IRR array, or -1. */
int vlapic_highest_vector(const struct vlapic *l, u32 base)
{
	/* unrolled: a scan is on every wake-up and injection path */
#pragma GCC unroll 8
	for (int w = 7; w >= 0; w--) {
		u32 bits = __atomic_load_n(&l->regs[(base >> 2) + w * 4], __ATOMIC_RELAXED);

		if (bits)
			return w * 32 + 31 - __builtin_clz(bits);
	}
	return -1;
}

static bool vec_test(const struct vlapic *l, u32 base, u8 v)
{
	return (__atomic_load_n(&l->regs[(base >> 2) + VEC_WORD(v)], __ATOMIC_RELAXED) &
		VEC_BIT(v)) != 0;
}

static void vec_set(struct vlapic *l, u32 base, u8 v)
{
	__atomic_fetch_or(&l->regs[(base >> 2) + VEC_WORD(v)], VEC_BIT(v), __ATOMIC_SEQ_CST);
}

static void vec_clear(struct vlapic *l, u32 base, u8 v)
{
	__atomic_fetch_and(&l->regs[(base >> 2) + VEC_WORD(v)], ~VEC_BIT(v), __ATOMIC_SEQ_CST);
}

static void update_ppr(struct vlapic *l)
{
	u32 tpr = vlapic_reg(l, APIC_TPR) & 0xFF;
	int isrv = vlapic_highest_vector(l, APIC_ISR);
	u32 isr_class = isrv < 0 ? 0 : ((u32)isrv & 0xF0);

	reg_set(l, APIC_PPR, (tpr & 0xF0) >= isr_class ? tpr : isr_class);
}

/* Latch an APIC error; the LVT error interrupt fires if unmasked. */
static void set_error(struct vlapic *l, u32 bits)
{
	u32 lvt = vlapic_reg(l, APIC_LVT_ERROR);

	__atomic_fetch_or(&l->esr_pending, bits, __ATOMIC_RELAXED);
	/* an illegal error vector must not recurse into another error */
	if (!(lvt & APIC_LVT_MASKED) && (lvt & 0xFF) >= 16)
		vlapic_accept_irq(l, lvt & 0xFF, false);
}

static void set_x2apic_ids(struct vlapic *l)
{
	u32 id = l->apic_id;

	reg_set(l, APIC_ID, id);
	reg_set(l, APIC_LDR, ((id >> 4) << 16) | (1u << (id & 15)));
}

void vlapic_reset(struct vlapic *l)
{
	memset(l->regs, 0, sizeof(l->regs));
	memset(l->level_staged, 0, sizeof(l->level_staged));
	l->staged_hint = 0;
	if (vlapic_x2apic_mode(l))
		set_x2apic_ids(l);
	else
		reg_set(l, APIC_ID, l->apic_id << 24);
	reg_set(l, APIC_VER, VLAPIC_VERSION);
	reg_set(l, APIC_DFR, 0xFFFFFFFFu);
	reg_set(l, APIC_SVR, 0xFF);
	for (size_t i = 0; i < ARRAY_SIZE(lvt_regs); i++)
		reg_set(l, lvt_regs[i], APIC_LVT_MASKED);
	l->esr_pending = 0;
	vlapic_timer_reset(l);
}

void vlapic_init(struct vlapic *l, struct vlapic_group *g, u32 apic_id, bool bsp)
{
	memset(l, 0, sizeof(*l));
	l->group = g;
	l->apic_id = apic_id;
	l->apic_base = VLAPIC_BASE | APIC_BASE_EN | (bsp ? APIC_BASE_BSP : 0);
	l->wait_sipi = !bsp;
	vlapic_reset(l);
	if (apic_id < VLAPIC_GROUP_MAX) {
		g->vlapic[apic_id] = l;
		if (apic_id >= g->count)
			g->count = apic_id + 1;
	} else {
		pr_err("vlapic: APIC id %u beyond VLAPIC_GROUP_MAX\n", apic_id);
	}
}

/* ---- interrupt acceptance and priority ---- */

void vlapic_accept_irq(struct vlapic *l, u8 vector, bool level)
{
	if (!vlapic_hw_enabled(l) || !vlapic_sw_enabled(l))
		return;
	if (vector < 16) {
		set_error(l, APIC_ESR_RECV_ILLEGAL);
		return;
	}
	if (level)
		vec_set(l, APIC_TMR, vector);
	else
		vec_clear(l, APIC_TMR, vector);
	if (level && __atomic_load_n(&l->apicv, __ATOMIC_ACQUIRE)) {
		__atomic_fetch_or(&l->level_staged[vector >> 5], VEC_BIT(vector), __ATOMIC_SEQ_CST);
		__atomic_store_n(&l->staged_hint, 1, __ATOMIC_SEQ_CST);
	} else
		vec_set(l, APIC_IRR, vector);
	__atomic_store_n(&l->irr_hint, 1, __ATOMIC_SEQ_CST);
	kick(l);
}

int vlapic_pending_vector_scan(struct vlapic *l)
{
	int v = vlapic_highest_vector(l, APIC_IRR);

	if (v < 0) {
		/* clear the hint, then look again for a sender that raced with us */
		__atomic_store_n(&l->irr_hint, 0, __ATOMIC_SEQ_CST);
		v = vlapic_highest_vector(l, APIC_IRR);
		if (v >= 0)
			__atomic_store_n(&l->irr_hint, 1, __ATOMIC_SEQ_CST);
	}

	if (v < 0 || ((u32)v & 0xF0) <= (vlapic_reg(l, APIC_PPR) & 0xF0))
		return -1;
	return v;
}

void vlapic_ack(struct vlapic *l, u8 vector)
{
	vec_clear(l, APIC_IRR, vector);
	vec_set(l, APIC_ISR, vector);
	update_ppr(l);
}

static void do_eoi(struct vlapic *l)
{
	int v = vlapic_highest_vector(l, APIC_ISR);

	if (v < 0)
		return;
	vec_clear(l, APIC_ISR, (u8)v);
	update_ppr(l);
	/* after PPR is updated, so a re-delivered level interrupt is visible */
	if (vec_test(l, APIC_TMR, (u8)v) && l->group && l->group->eoi)
		l->group->eoi(l->group, (u8)v);
}

u64 vlapic_get_cr8(const struct vlapic *l)
{
	return (vlapic_reg(l, APIC_TPR) >> 4) & 0xF;
}

void vlapic_set_cr8(struct vlapic *l, u64 cr8)
{
	reg_set(l, APIC_TPR, (u32)(cr8 & 0xF) << 4);
	update_ppr(l);
}

/* ---- message delivery (ICR, MSI, IOAPIC) ---- */

static bool match_dest(const struct vlapic *t, u32 dest, bool logical)
{
	u32 ldr = vlapic_reg(t, APIC_LDR);

	if (dest == VLAPIC_BROADCAST)
		return true;
	if (vlapic_x2apic_mode(t)) {
		if (!logical)
			return dest == t->apic_id;
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xFFFF) != 0;
	}
	if (dest > 0xFF)
		return false;
	if (dest == 0xFF)
		return true;
	if (!logical)
		return dest == vlapic_reg(t, APIC_ID) >> 24;
	ldr >>= 24;
	if ((vlapic_reg(t, APIC_DFR) >> 28) == 0xF)		/* flat model */
		return (dest & ldr) != 0;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xF) != 0;	/* cluster */
}

static void accept_message(struct vlapic *t, u32 dm, u8 vector, bool level)
{
	switch (dm) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWPRI:
		vlapic_accept_irq(t, vector, level);
		break;
	case APIC_DM_NMI:
		__atomic_store_n(&t->nmi_pending, 1, __ATOMIC_RELEASE);
		kick(t);
		break;
	case APIC_DM_INIT:
		__atomic_store_n(&t->init_pending, 1, __ATOMIC_RELEASE);
		kick(t);
		break;
	case APIC_DM_SIPI:
		if (!__atomic_load_n(&t->wait_sipi, __ATOMIC_ACQUIRE) &&
		    !__atomic_load_n(&t->init_pending, __ATOMIC_ACQUIRE))
			break;
		__atomic_store_n(&t->sipi_vector, vector, __ATOMIC_RELAXED);
		__atomic_store_n(&t->sipi_pending, 1, __ATOMIC_RELEASE);
		kick(t);
		break;
	default:	/* SMI, ExtINT (no PIC behind LINT0), reserved */
		break;
	}
}

void vlapic_deliver(struct vlapic_group *g, u32 dest, bool logical, u32 delivery_mode,
		    u8 vector, bool level, int shorthand, struct vlapic *self)
{
	struct vlapic *lowpri = NULL;
	u32 dm = delivery_mode & 7;

	if (shorthand == APIC_SH_SELF) {
		if (self)
			accept_message(self, dm, vector, level);
		return;
	}
	for (u32 i = 0; i < g->count && i < VLAPIC_GROUP_MAX; i++) {
		struct vlapic *t = g->vlapic[i];

		if (!t || !vlapic_hw_enabled(t))
			continue;
		if (shorthand == APIC_SH_OTHERS && t == self)
			continue;
		if (shorthand == APIC_SH_NONE && !match_dest(t, dest, logical))
			continue;
		if (dm == APIC_DM_LOWPRI) {
			/* no arbitration: the first match, preferring enabled APICs */
			if (!lowpri || (!vlapic_sw_enabled(lowpri) && vlapic_sw_enabled(t)))
				lowpri = t;
			continue;
		}
		accept_message(t, dm, vector, level);
	}
	if (lowpri)
		accept_message(lowpri, dm, vector, level);
}

int vlapic_deliver_msi(struct vlapic_group *g, u64 addr, u32 data)
{
	u32 dest = (addr >> 12) & 0xFF;

	if ((addr >> 20) != (VLAPIC_BASE >> 20))
		return -EINVAL;
	vlapic_deliver(g, dest == 0xFF ? VLAPIC_BROADCAST : dest, (addr & BIT(2)) != 0,
		       APIC_ICR_DM(data), APIC_ICR_VECTOR(data), (data & APIC_ICR_LEVEL) != 0,
		       APIC_SH_NONE, NULL);
	return 0;
}

/*
 * The common IPI, fixed and physical to one vLAPIC, without a walk of the
 * group: IDs are unique and read-only (a vLAPIC's ID is its index in the
 * group), so the vLAPIC at index dest is the only one match_dest could
 * accept (dest 0xFF and the x2APIC broadcast excluded: those match more).
 * False: not that case, vlapic_deliver decides.
 */
static bool ipi_one(struct vlapic_group *g, u32 dest, u8 vector)
{
	struct vlapic *t;

	if (dest >= g->count || dest >= VLAPIC_GROUP_MAX || dest == 0xFF)
		return false;
	t = g->vlapic[dest];
	if (!t || !vlapic_hw_enabled(t) || !match_dest(t, dest, false))
		return false;
	vlapic_accept_irq(t, vector, false);
	return true;
}

/* An ICR write (xAPIC ICR_LO or x2APIC 0x830) sends the IPI at once. */
static void send_ipi(struct vlapic *l, u32 lo, u32 dest)
{
	u32 dm = APIC_ICR_DM(lo);
	u8 vector = APIC_ICR_VECTOR(lo);

	/* INIT level de-assert only syncs arbitration IDs */
	if (dm == APIC_DM_INIT && (lo & APIC_ICR_LEVEL) && !(lo & APIC_ICR_ASSERT))
		return;
	if ((dm == APIC_DM_FIXED || dm == APIC_DM_LOWPRI) && vector < 16) {
		set_error(l, APIC_ESR_SEND_ILLEGAL);
		return;
	}
	if (!vlapic_x2apic_mode(l))
		dest = dest == 0xFF ? VLAPIC_BROADCAST : (dest & 0xFF);
	if (dm == APIC_DM_FIXED && !(lo & APIC_ICR_LOGICAL) && APIC_ICR_SH(lo) == APIC_SH_NONE &&
	    ipi_one(l->group, dest, vector))
		return;
	/* the ICR trigger mode only matters for INIT de-assert: IPIs are edge */
	vlapic_deliver(l->group, dest, (lo & APIC_ICR_LOGICAL) != 0, dm, vector, false,
		       (int)APIC_ICR_SH(lo), l);
}

/* ---- register file ---- */

static bool is_lvt(u32 off)
{
	return off == APIC_LVT_CMCI || (off >= APIC_LVT_TIMER && off <= APIC_LVT_ERROR);
}

static void lvt_masks(u32 off, u32 *w, u32 *ro)
{
	switch (off) {
	case APIC_LVT_TIMER:
		*w = LVT_TIMER_W;
		*ro = LVT_TIMER_RO;
		break;
	case APIC_LVT_LINT0:
	case APIC_LVT_LINT1:
		*w = LVT_LINT_W;
		*ro = LVT_LINT_RO;
		break;
	case APIC_LVT_ERROR:
		*w = LVT_ERROR_W;
		*ro = LVT_ERROR_RO;
		break;
	default:
		*w = LVT_INT_W;
		*ro = LVT_INT_RO;
		break;
	}
}

/*
 * Readable registers, common to both modes (mode-specific ones are handled
 * by the callers). Returns false for reserved/write-only offsets.
 */
static bool reg_read(struct vlapic *l, u32 off, u32 *val)
{
	switch (off) {
	case APIC_ID:
	case APIC_VER:
	case APIC_TPR:
	case APIC_PPR:
	case APIC_LDR:
	case APIC_SVR:
	case APIC_ESR:
	case APIC_ICR_LO:
	case APIC_TMICT:
	case APIC_DCR:
		*val = vlapic_reg(l, off);
		return true;
	case APIC_TMCCT:
		*val = vlapic_timer_current_count(l);
		return true;
	default:
		break;
	}
	if (is_lvt(off) || (off >= APIC_ISR && off < APIC_ESR)) {
		*val = __atomic_load_n(reg_ptr(l, off), __ATOMIC_RELAXED);
		return true;
	}
	return false;
}

/*
 * Writes common to both modes, after the mode-specific checks. Returns
 * false for offsets that are not writable here.
 */
static bool reg_write(struct vlapic *l, u32 off, u32 val)
{
	u32 w, ro, old;

	switch (off) {
	case APIC_TPR:
		reg_set(l, APIC_TPR, val & 0xFF);
		update_ppr(l);
		return true;
	case APIC_EOI:
		do_eoi(l);
		return true;
	case APIC_SVR:
		reg_set(l, APIC_SVR, val & SVR_W);
		if (!(val & APIC_SVR_ENABLE)) {
			for (size_t i = 0; i < ARRAY_SIZE(lvt_regs); i++)
				*reg_ptr(l, lvt_regs[i]) |= APIC_LVT_MASKED;
		}
		return true;
	case APIC_ESR:
		reg_set(l, APIC_ESR, __atomic_exchange_n(&l->esr_pending, 0, __ATOMIC_RELAXED));
		return true;
	case APIC_TMICT:
		vlapic_timer_tmict_written(l, val);
		return true;
	case APIC_DCR:
		vlapic_timer_dcr_written(l, val & 0xB);
		return true;
	default:
		break;
	}
	if (!is_lvt(off))
		return false;
	lvt_masks(off, &w, &ro);
	old = vlapic_reg(l, off);
	val = (val & w) | (old & ro);
	if (!vlapic_sw_enabled(l))
		val |= APIC_LVT_MASKED;
	reg_set(l, off, val);
	if (off == APIC_LVT_TIMER)
		vlapic_timer_lvt_written(l, old);
	return true;
}

static bool mmio_ok(const struct vlapic *l, u32 offset)
{
	return vlapic_hw_enabled(l) && !vlapic_x2apic_mode(l) &&
	       offset < VLAPIC_SIZE && IS_ALIGNED(offset, 4);
}

int vlapic_mmio_read(struct vlapic *l, u32 offset, u32 *val)
{
	if (!mmio_ok(l, offset))
		return -EINVAL;
	*val = 0;
	if ((offset & 0xF) || offset >= 0x400)
		return 0;
	switch (offset) {
	case APIC_DFR:
	case APIC_ICR_HI:
		*val = vlapic_reg(l, offset);
		return 0;
	case APIC_APR:
	case APIC_EOI:
	case APIC_RRD:
		return 0;
	default:
		break;
	}
	if (!reg_read(l, offset, val))
		set_error(l, APIC_ESR_ILLEGAL_REG);
	return 0;
}

int vlapic_mmio_write(struct vlapic *l, u32 offset, u32 val)
{
	if (!mmio_ok(l, offset))
		return -EINVAL;
	if ((offset & 0xF) || offset >= 0x400)
		return 0;
	switch (offset) {
	case APIC_LDR:
		reg_set(l, APIC_LDR, val & 0xFF000000u);
		return 0;
	case APIC_DFR:
		reg_set(l, APIC_DFR, val | 0x0FFFFFFFu);
		return 0;
	case APIC_ICR_HI:
		reg_set(l, APIC_ICR_HI, val & 0xFF000000u);
		return 0;
	case APIC_ICR_LO:
		/* delivery status always reads idle: the send is immediate */
		reg_set(l, APIC_ICR_LO, val & 0x000CCFFFu);
		send_ipi(l, val, vlapic_reg(l, APIC_ICR_HI) >> 24);
		return 0;
	case APIC_ID:	/* read-only here; writes ignored */
	case APIC_VER:
	case APIC_APR:
	case APIC_PPR:
	case APIC_RRD:
	case APIC_TMCCT:
		return 0;
	default:
		break;
	}
	if (offset >= APIC_ISR && offset < APIC_ESR)
		return 0;
	if (!reg_write(l, offset, val))
		set_error(l, APIC_ESR_ILLEGAL_REG);
	return 0;
}

/* ---- MSR interface ---- */

bool vlapic_msr_is_apic(u32 msr)
{
	return msr == MSR_IA32_APIC_BASE || msr == MSR_IA32_TSC_DEADLINE ||
	       (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST);
}

static int x2apic_read(struct vlapic *l, u32 off, u64 *val)
{
	u32 v;

	if (off == APIC_ICR_LO) {
		*val = ((u64)vlapic_reg(l, APIC_ICR_HI) << 32) | vlapic_reg(l, APIC_ICR_LO);
		return 0;
	}
	if (!reg_read(l, off, &v))
		return -EINVAL;
	*val = v;
	return 0;
}

int vlapic_x2apic_icr_write(struct vlapic *l, u64 val)
{
	u32 v = (u32)val;

	if (!vlapic_x2apic_mode(l) || (v & ICR_X2_RSVD))
		return -EINVAL;
	reg_set(l, APIC_ICR_LO, v & 0x000CCFFFu);
	reg_set(l, APIC_ICR_HI, (u32)(val >> 32));
	send_ipi(l, v, (u32)(val >> 32));
	return 0;
}

static int x2apic_write(struct vlapic *l, u32 off, u64 val)
{
	u32 v = (u32)val, w, ro;

	if (off == APIC_ICR_LO)
		return vlapic_x2apic_icr_write(l, val);
	if (val >> 32)
		return -EINVAL;
	switch (off) {
	case APIC_TPR:
	case APIC_SELF_IPI:
		if (v & ~0xFFu)
			return -EINVAL;
		break;
	case APIC_EOI:
	case APIC_ESR:
		if (v)
			return -EINVAL;
		break;
	case APIC_SVR:
		if (v & ~SVR_W)
			return -EINVAL;
		break;
	case APIC_DCR:
		if (v & ~0xBu)
			return -EINVAL;
		break;
	case APIC_TMICT:
		break;
	default:
		if (!is_lvt(off))
			return -EINVAL;	/* read-only or reserved */
		lvt_masks(off, &w, &ro);
		if (v & ~(w | ro))
			return -EINVAL;
		if (off == APIC_LVT_TIMER && APIC_LVT_TIMER_MODE(v) == 3)
			return -EINVAL;
		break;
	}
	if (off == APIC_SELF_IPI) {
		if (v < 16)
			set_error(l, APIC_ESR_SEND_ILLEGAL);
		else
			vlapic_accept_irq(l, (u8)v, false);
		return 0;
	}
	return reg_write(l, off, v) ? 0 : -EINVAL;
}

static int apic_base_write(struct vlapic *l, u64 val)
{
	u64 old = l->apic_base;
	u64 mode_bits = APIC_BASE_EN | APIC_BASE_EXTD;
	u64 om = old & mode_bits, nm = val & mode_bits;

	if (val & ~(APIC_BASE_ADDR_MASK | mode_bits | APIC_BASE_BSP))
		return -EINVAL;
	/* relocating the APIC page is not supported */
	if ((val & APIC_BASE_ADDR_MASK) != VLAPIC_BASE)
		return -EINVAL;
	if (nm == APIC_BASE_EXTD)				/* EXTD without EN */
		return -EINVAL;
	if (om == mode_bits && nm == APIC_BASE_EN)		/* x2APIC -> xAPIC */
		return -EINVAL;
	if (om == 0 && nm == mode_bits)				/* disabled -> x2APIC */
		return -EINVAL;
	/* the BSP flag is the platform's, not the guest's */
	l->apic_base = (val & ~APIC_BASE_BSP) | (old & APIC_BASE_BSP);
	if (om == nm)
		return 0;
	if (nm == 0) {
		vlapic_reset(l);	/* globally disabled: state is lost */
	} else if (nm == mode_bits) {
		set_x2apic_ids(l);
	} else {
		reg_set(l, APIC_ID, l->apic_id << 24);
	}
	return 0;
}

int vlapic_msr_read(struct vlapic *l, u32 msr, u64 *val)
{
	switch (msr) {
	case MSR_IA32_APIC_BASE:
		*val = l->apic_base;
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		*val = vlapic_timer_deadline_read(l);
		return 0;
	default:
		break;
	}
	if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || !vlapic_x2apic_mode(l))
		return -EINVAL;
	return x2apic_read(l, (msr - MSR_X2APIC_FIRST) << 4, val);
}

int vlapic_msr_write(struct vlapic *l, u32 msr, u64 val)
{
	switch (msr) {
	case MSR_IA32_APIC_BASE:
		return apic_base_write(l, val);
	case MSR_IA32_TSC_DEADLINE:
		vlapic_timer_deadline_write(l, val);
		return 0;
	default:
		break;
	}
	if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || !vlapic_x2apic_mode(l))
		return -EINVAL;
	return x2apic_write(l, (msr - MSR_X2APIC_FIRST) << 4, val);
}

/* ---- INIT / SIPI / NMI ---- */

bool vlapic_take_init(struct vlapic *l)
{
	if (!__atomic_exchange_n(&l->init_pending, 0, __ATOMIC_ACQ_REL))
		return false;
	vlapic_reset(l);
	__atomic_store_n(&l->nmi_pending, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&l->wait_sipi, 1, __ATOMIC_RELEASE);
	return true;
}

int vlapic_take_sipi(struct vlapic *l)
{
	if (!__atomic_load_n(&l->wait_sipi, __ATOMIC_ACQUIRE) ||
	    !__atomic_exchange_n(&l->sipi_pending, 0, __ATOMIC_ACQ_REL))
		return -1;
	__atomic_store_n(&l->wait_sipi, 0, __ATOMIC_RELEASE);
	return __atomic_load_n(&l->sipi_vector, __ATOMIC_RELAXED);
}

bool vlapic_waiting_sipi(const struct vlapic *l)
{
	return __atomic_load_n(&l->wait_sipi, __ATOMIC_ACQUIRE) != 0;
}

bool vlapic_take_nmi(struct vlapic *l)
{
	return __atomic_exchange_n(&l->nmi_pending, 0, __ATOMIC_ACQ_REL) != 0;
}
