/*
 * vLAPIC timer: one-shot, periodic and TSC-deadline modes (SDM vol. 3,
 * 11.5.4). The count runs at TSC rate / divide value: a running timer is
 * just the absolute TSC of its next expiry (timer_next), so the current
 * count is derived from now() and nothing ticks in between.
 */
#include "vlapic.h"

#define TIMER_OFF (~0ULL)

static u32 timer_mode(const struct vlapic *l)
{
	return APIC_LVT_TIMER_MODE(vlapic_reg(l, APIC_LVT_TIMER));
}

static u64 timer_now(const struct vlapic *l)
{
	return l->group->now();
}

/* DCR bits 3,1,0: 000 = /2 ... 110 = /128, 111 = /1. */
static u32 dcr_shift(u32 dcr)
{
	u32 v = ((dcr >> 1) & 4) | (dcr & 3);

	return (v + 1) & 7;
}

static void disarm(struct vlapic *l)
{
	l->timer_next = TIMER_OFF;
	l->timer_period = 0;
}

void vlapic_timer_reset(struct vlapic *l)
{
	disarm(l);
	l->tsc_deadline = 0;
	l->timer_shift = dcr_shift(0);
}

/* The SDM: a write that changes the timer mode disarms the timer. */
void vlapic_timer_lvt_written(struct vlapic *l, u32 old_lvt)
{
	if (APIC_LVT_TIMER_MODE(old_lvt) == timer_mode(l))
		return;
	disarm(l);
	l->regs[APIC_TMICT >> 2] = 0;
	l->tsc_deadline = 0;
}

void vlapic_timer_tmict_written(struct vlapic *l, u32 count)
{
	if (timer_mode(l) == APIC_TIMER_TSCDEADLINE)
		return;		/* ignored in TSC-deadline mode */
	l->regs[APIC_TMICT >> 2] = count;
	if (!count) {
		disarm(l);
		return;
	}
	l->timer_period = (u64)count << l->timer_shift;
	l->timer_next = timer_now(l) + l->timer_period;
}

/* Counts left, rounded up: the count drops once a whole divided tick has passed. */
static u32 count_left(const struct vlapic *l, u64 now)
{
	u64 rem;

	if (now < l->timer_next)
		rem = l->timer_next - now;
	else if (timer_mode(l) == APIC_TIMER_PERIODIC && l->timer_period)
		rem = l->timer_period - (now - l->timer_next) % l->timer_period;
	else
		return 0;
	return (u32)((rem + (1ULL << l->timer_shift) - 1) >> l->timer_shift);
}

u32 vlapic_timer_current_count(const struct vlapic *l)
{
	if (timer_mode(l) == APIC_TIMER_TSCDEADLINE || l->timer_next == TIMER_OFF)
		return 0;
	return count_left(l, timer_now(l));
}

/* A new divide value applies to the rest of the running count too. */
void vlapic_timer_dcr_written(struct vlapic *l, u32 dcr)
{
	u32 shift = dcr_shift(dcr);
	u32 left;
	u64 now;

	l->regs[APIC_DCR >> 2] = dcr;
	if (timer_mode(l) == APIC_TIMER_TSCDEADLINE || l->timer_next == TIMER_OFF) {
		l->timer_shift = shift;
		return;
	}
	now = timer_now(l);
	left = count_left(l, now);
	l->timer_shift = shift;
	l->timer_period = (u64)l->regs[APIC_TMICT >> 2] << shift;
	if (left)	/* else expired and not yet seen: fire at the next check */
		l->timer_next = now + ((u64)left << shift);
}

u64 vlapic_timer_deadline_read(const struct vlapic *l)
{
	return timer_mode(l) == APIC_TIMER_TSCDEADLINE ? l->tsc_deadline : 0;
}

void vlapic_timer_deadline_write(struct vlapic *l, u64 tsc)
{
	if (timer_mode(l) != APIC_TIMER_TSCDEADLINE)
		return;		/* ignored in the other modes */
	l->tsc_deadline = tsc;
	l->timer_period = 0;
	l->timer_next = tsc ? tsc : TIMER_OFF;
	if (tsc)
		vlapic_timer_check(l);	/* a deadline in the past fires now */
}

bool vlapic_timer_deadline_mode(const struct vlapic *l)
{
	return timer_mode(l) == APIC_TIMER_TSCDEADLINE;
}

void vlapic_timer_deadline_fired(struct vlapic *l)
{
	u32 lvt = vlapic_reg(l, APIC_LVT_TIMER);

	if (APIC_LVT_TIMER_MODE(lvt) == APIC_TIMER_TSCDEADLINE && !(lvt & APIC_LVT_MASKED))
		vlapic_accept_irq(l, lvt & 0xFF, false);
}

void vlapic_timer_expire(struct vlapic *l)
{
	u64 now, next = l->timer_next;
	u32 lvt;

	if (next == TIMER_OFF)
		return;
	now = timer_now(l);
	if (now < next)
		return;
	lvt = vlapic_reg(l, APIC_LVT_TIMER);
	/* a masked timer still expires and reloads, it just raises nothing */
	if (!(lvt & APIC_LVT_MASKED))
		vlapic_accept_irq(l, lvt & 0xFF, false);
	if (APIC_LVT_TIMER_MODE(lvt) == APIC_TIMER_PERIODIC && l->timer_period) {
		/* expiries missed while not checked collapse into this one */
		l->timer_next = next + ((now - next) / l->timer_period + 1) * l->timer_period;
		return;
	}
	disarm(l);
	if (APIC_LVT_TIMER_MODE(lvt) == APIC_TIMER_TSCDEADLINE)
		l->tsc_deadline = 0;
}

