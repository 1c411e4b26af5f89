/* Shared fixture of the vLAPIC unit tests: a group of fake vCPUs and hooks. */
#ifndef VLAPIC_FIXTURE_H
#define VLAPIC_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vlapic.h"
#include "errno.h"

#define NCPU 4

static u64 fake_tsc;
static struct vlapic *kicked[256];
static int nkicks;
static u8 eoi_vec[64];
static int neois;

static struct vlapic_group grp;
static struct vlapic cpu[NCPU];
static struct vlapic extra __attribute__((unused));

static inline u64 fake_now(void)
{
	return fake_tsc;
}

static inline void fake_kick(struct vlapic *t)
{
	if (nkicks < (int)ARRAY_SIZE(kicked))
		kicked[nkicks] = t;
	nkicks++;
}

static inline void fake_eoi(struct vlapic_group *g, u8 vector)
{
	assert_ptr_equal(g, &grp);
	if (neois < (int)ARRAY_SIZE(eoi_vec))
		eoi_vec[neois] = vector;
	neois++;
}

static inline int setup(void **state)
{
	(void)state;
	memset(&grp, 0, sizeof(grp));
	grp.now = fake_now;
	grp.kick = fake_kick;
	grp.eoi = fake_eoi;
	grp.tsc_khz = 1000000;
	fake_tsc = 1000;
	nkicks = 0;
	neois = 0;
	for (u32 i = 0; i < NCPU; i++)
		vlapic_init(&cpu[i], &grp, i, i == 0);
	return 0;
}

/* ---- helpers ---- */

static inline u32 rd(struct vlapic *l, u32 off)
{
	u32 v = 0xDEADBEEF;

	assert_int_equal(vlapic_mmio_read(l, off, &v), 0);
	return v;
}

static inline void wr(struct vlapic *l, u32 off, u32 val)
{
	assert_int_equal(vlapic_mmio_write(l, off, val), 0);
}

static inline u64 rdmsr(struct vlapic *l, u32 msr)
{
	u64 v = 0xDEADBEEF;

	assert_int_equal(vlapic_msr_read(l, msr, &v), 0);
	return v;
}

static inline void wrmsr(struct vlapic *l, u32 msr, u64 val)
{
	assert_int_equal(vlapic_msr_write(l, msr, val), 0);
}

static inline bool vec_in(struct vlapic *l, u32 base, u8 v)
{
	return (vlapic_reg(l, base + (v / 32) * 16) >> (v % 32)) & 1;
}

static inline bool irr(struct vlapic *l, u8 v)
{
	return vec_in(l, APIC_IRR, v);
}

static inline int irr_count(struct vlapic *l)
{
	int n = 0;

	for (u32 i = 0; i < 8; i++)
		n += __builtin_popcount(vlapic_reg(l, APIC_IRR + i * 16));
	return n;
}

/* which of cpu[0..NCPU-1] have vector v pending, as a bit mask */
static inline unsigned irr_mask(u8 v)
{
	unsigned m = 0;

	for (int i = 0; i < NCPU; i++)
		m |= (unsigned)irr(&cpu[i], v) << i;
	return m;
}

static inline void enable_all(void)
{
	for (int i = 0; i < NCPU; i++)
		wr(&cpu[i], APIC_SVR, 0x1FF);
}

static inline void to_x2apic(struct vlapic *l)
{
	wrmsr(l, MSR_IA32_APIC_BASE, VLAPIC_BASE | APIC_BASE_EN | APIC_BASE_EXTD);
	assert_true(vlapic_x2apic_mode(l));
}

/* take an interrupt the way the vCPU loop does, then EOI it through MMIO */
static inline int inject_and_eoi(struct vlapic *l)
{
	int v = vlapic_pending_vector(l);

	if (v >= 0) {
		vlapic_ack(l, (u8)v);
		wr(l, APIC_EOI, 0);
	}
	return v;
}

static inline u32 esr(struct vlapic *l)
{
	wr(l, APIC_ESR, 0);
	return rd(l, APIC_ESR);
}

/* ---- registers ---- */

#endif
