/* Virtual IOAPIC: indirect register window, redirection table, pin logic. */
#include "vioapic.h"
#include "vlapic.h"
#include "errno.h"

/* RTE bits the guest may write (delivery status and remote IRR are RO). */
#define RTE_LO_W	0x0001AFFFu
#define RTE_HI_W	0xFF000000u

static void vioapic_lock(struct vioapic *v)
{
	while (__atomic_exchange_n(&v->lock, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&v->lock, __ATOMIC_RELAXED))
			__asm__ volatile("pause");
	}
}

static void vioapic_unlock(struct vioapic *v)
{
	__atomic_store_n(&v->lock, 0, __ATOMIC_RELEASE);
}

void vioapic_init(struct vioapic *v, struct vlapic_group *g, u8 id)
{
	v->group = g;
	v->id = (u32)(id & 0xF) << 24;
	v->regsel = 0;
	v->lines = 0;
	v->lock = 0;
	for (u32 i = 0; i < VIOAPIC_PINS; i++)
		v->rte[i] = IOAPIC_RTE_MASKED;
}

static bool fixed_or_lowpri(u64 rte)
{
	u32 dm = (rte >> IOAPIC_RTE_DM_SHIFT) & 7;

	return dm == APIC_DM_FIXED || dm == APIC_DM_LOWPRI;
}

/* Send pin's interrupt message; level entries then wait for the EOI. */
static void deliver(struct vioapic *v, u32 pin)
{
	u64 rte = v->rte[pin];
	u32 dest = (u32)(rte >> IOAPIC_RTE_DEST_SHIFT);
	bool level = (rte & IOAPIC_RTE_LEVEL) != 0;

	if (rte & IOAPIC_RTE_MASKED)
		return;
	if (level) {
		if (rte & IOAPIC_RTE_REMOTE_IRR)
			return;
		/* only fixed/lowest-priority vectors are EOIed back to us */
		if (fixed_or_lowpri(rte))
			v->rte[pin] |= IOAPIC_RTE_REMOTE_IRR;
	}
	vlapic_deliver(v->group, dest == 0xFF ? VLAPIC_BROADCAST : dest,
		       (rte & IOAPIC_RTE_LOGICAL) != 0, (rte >> IOAPIC_RTE_DM_SHIFT) & 7,
		       (u8)(rte & IOAPIC_RTE_VECTOR), level, APIC_SH_NONE, NULL);
}

static bool line_high(const struct vioapic *v, u32 pin)
{
	return (v->lines >> pin) & 1;
}

static u32 read_reg(struct vioapic *v, u32 reg)
{
	u32 pin = (reg - 0x10) / 2;

	switch (reg) {
	case IOAPIC_ID:
	case IOAPIC_ARB:
		return v->id;
	case IOAPIC_VER:
		return ((VIOAPIC_PINS - 1) << 16) | VIOAPIC_VERSION;
	default:
		break;
	}
	if (reg < IOAPIC_RTE_LO(0) || pin >= VIOAPIC_PINS)
		return 0;
	return (reg & 1) ? (u32)(v->rte[pin] >> 32) : (u32)v->rte[pin];
}

static void write_rte(struct vioapic *v, u32 pin, bool high, u32 val)
{
	u64 old = v->rte[pin], rte;

	if (high) {
		rte = (old & 0xFFFFFFFFULL) | ((u64)(val & RTE_HI_W) << 32);
	} else {
		rte = (old & ~(u64)RTE_LO_W) | (val & RTE_LO_W);
		/* switching to edge drops remote IRR (how old OSes clear it) */
		if (!(rte & IOAPIC_RTE_LEVEL))
			rte &= ~IOAPIC_RTE_REMOTE_IRR;
	}
	v->rte[pin] = rte;
	/* an asserted level line fires once it is unmasked */
	if ((rte & IOAPIC_RTE_LEVEL) && line_high(v, pin))
		deliver(v, pin);
}

static void write_reg(struct vioapic *v, u32 reg, u32 val)
{
	u32 pin = (reg - 0x10) / 2;

	if (reg == IOAPIC_ID) {
		v->id = val & 0x0F000000u;
		return;
	}
	if (reg < IOAPIC_RTE_LO(0) || pin >= VIOAPIC_PINS)
		return;		/* VER, ARB and reserved registers */
	write_rte(v, pin, reg & 1, val);
}

static void eoi_locked(struct vioapic *v, u8 vector)
{
	for (u32 pin = 0; pin < VIOAPIC_PINS; pin++) {
		u64 rte = v->rte[pin];

		if (!(rte & IOAPIC_RTE_REMOTE_IRR) || (rte & IOAPIC_RTE_VECTOR) != vector)
			continue;
		v->rte[pin] = rte & ~IOAPIC_RTE_REMOTE_IRR;
		if (line_high(v, pin))
			deliver(v, pin);
	}
}

int vioapic_mmio_read(struct vioapic *v, u32 offset, u32 size, u32 *val)
{
	if (size != 1 && size != 2 && size != 4)
		return -EINVAL;
	*val = 0;
	switch (offset) {
	case IOAPIC_REGSEL:
		vioapic_lock(v);
		*val = v->regsel;
		vioapic_unlock(v);
		return 0;
	case IOAPIC_WINDOW:
		if (size != 4)
			return -EINVAL;
		vioapic_lock(v);
		*val = read_reg(v, v->regsel);
		vioapic_unlock(v);
		return 0;
	case IOAPIC_EOI:
		return size == 4 ? 0 : -EINVAL;	/* write-only */
	default:
		return 0;
	}
}

int vioapic_mmio_write(struct vioapic *v, u32 offset, u32 size, u32 val)
{
	if (size != 1 && size != 2 && size != 4)
		return -EINVAL;
	switch (offset) {
	case IOAPIC_REGSEL:
		vioapic_lock(v);
		v->regsel = val & 0xFF;
		vioapic_unlock(v);
		return 0;
	case IOAPIC_WINDOW:
		if (size != 4)
			return -EINVAL;
		vioapic_lock(v);
		write_reg(v, v->regsel, val);
		vioapic_unlock(v);
		return 0;
	case IOAPIC_EOI:
		if (size != 4)
			return -EINVAL;
		vioapic_lock(v);
		eoi_locked(v, (u8)val);
		vioapic_unlock(v);
		return 0;
	default:
		return 0;
	}
}

int vioapic_set_irq(struct vioapic *v, u32 pin, bool level)
{
	bool was;

	if (pin >= VIOAPIC_PINS)
		return -EINVAL;
	vioapic_lock(v);
	was = line_high(v, pin);
	if (level)
		v->lines |= 1u << pin;
	else
		v->lines &= ~(1u << pin);
	if (level && (!was || (v->rte[pin] & IOAPIC_RTE_LEVEL)))
		deliver(v, pin);	/* level: no-op while remote IRR is set */
	vioapic_unlock(v);
	return 0;
}

void vioapic_eoi(struct vioapic *v, u8 vector)
{
	vioapic_lock(v);
	eoi_locked(v, vector);
	vioapic_unlock(v);
}

u64 vioapic_rte(struct vioapic *v, u32 pin)
{
	u64 rte;

	if (pin >= VIOAPIC_PINS)
		return 0;
	vioapic_lock(v);
	rte = v->rte[pin];
	vioapic_unlock(v);
	return rte;
}
