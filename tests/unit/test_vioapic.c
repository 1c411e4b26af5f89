/* Unit tests for the virtual IOAPIC (dm/vioapic.c), wired to real vLAPICs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vioapic.h"
#include "vlapic.h"
#include "errno.h"

#define NCPU 3

static u64 fake_tsc;
static int nkicks;
static int neois;
static struct vlapic_group grp;
static struct vlapic cpu[NCPU];
static struct vioapic io;

static u64 fake_now(void)
{
	return fake_tsc;
}

static void fake_kick(struct vlapic *t)
{
	(void)t;
	nkicks++;
}

/* the owner's wiring: level EOIs from any vLAPIC go to the vIOAPIC */
static void group_eoi(struct vlapic_group *g, u8 vector)
{
	neois++;
	vioapic_eoi(g->priv, vector);
}

static int setup(void **state)
{
	(void)state;
	memset(&grp, 0, sizeof(grp));
	grp.now = fake_now;
	grp.kick = fake_kick;
	grp.eoi = group_eoi;
	grp.priv = &io;
	fake_tsc = 1;
	nkicks = 0;
	neois = 0;
	for (u32 i = 0; i < NCPU; i++) {
		vlapic_init(&cpu[i], &grp, i, i == 0);
		assert_int_equal(vlapic_mmio_write(&cpu[i], APIC_SVR, 0x1FF), 0);
	}
	vioapic_init(&io, &grp, 2);
	return 0;
}

static void sel(u32 reg)
{
	assert_int_equal(vioapic_mmio_write(&io, IOAPIC_REGSEL, 4, reg), 0);
}

static u32 ird(u32 reg)
{
	u32 v = 0xDEADBEEF;

	sel(reg);
	assert_int_equal(vioapic_mmio_read(&io, IOAPIC_WINDOW, 4, &v), 0);
	return v;
}

static void iwr(u32 reg, u32 val)
{
	sel(reg);
	assert_int_equal(vioapic_mmio_write(&io, IOAPIC_WINDOW, 4, val), 0);
}

static void set_rte(u32 pin, u64 rte)
{
	iwr(IOAPIC_RTE_HI(pin), (u32)(rte >> 32));
	iwr(IOAPIC_RTE_LO(pin), (u32)rte);
}

static bool irr(struct vlapic *l, u8 v)
{
	return (vlapic_reg(l, APIC_IRR + (v / 32) * 16) >> (v % 32)) & 1;
}

static bool tmr(struct vlapic *l, u8 v)
{
	return (vlapic_reg(l, APIC_TMR + (v / 32) * 16) >> (v % 32)) & 1;
}

static int irr_count(struct vlapic *l)
{
	int n = 0;

	for (u32 i = 0; i < 8; i++)
		n += __builtin_popcount(vlapic_reg(l, APIC_IRR + i * 16));
	return n;
}

/* the vCPU takes the interrupt and EOIs it through its vLAPIC */
static void take_and_eoi(struct vlapic *l, u8 expect)
{
	assert_int_equal(vlapic_pending_vector(l), expect);
	vlapic_ack(l, expect);
	assert_int_equal(vlapic_mmio_write(l, APIC_EOI, 0), 0);
}

static u64 dest(u32 id)
{
	return (u64)id << IOAPIC_RTE_DEST_SHIFT;
}

static void test_registers(void **state)
{
	u32 v;

	(void)state;
	assert_int_equal(ird(IOAPIC_VER), 0x00170020);
	assert_int_equal(ird(IOAPIC_ID), 0x02000000);
	assert_int_equal(ird(IOAPIC_ARB), 0x02000000);
	iwr(IOAPIC_ID, 0xFFFFFFFF);
	assert_int_equal(ird(IOAPIC_ID), 0x0F000000);
	assert_int_equal(ird(IOAPIC_ARB), 0x0F000000);
	iwr(IOAPIC_VER, 0);				/* read-only */
	assert_int_equal(ird(IOAPIC_VER), 0x00170020);
	for (u32 pin = 0; pin < VIOAPIC_PINS; pin++) {
		assert_int_equal(ird(IOAPIC_RTE_LO(pin)), 0x00010000);
		assert_int_equal(ird(IOAPIC_RTE_HI(pin)), 0);
	}
	/* writable bits; delivery status and remote IRR are read-only */
	iwr(IOAPIC_RTE_LO(5), 0xFFFFFFFF);
	assert_int_equal(ird(IOAPIC_RTE_LO(5)), 0x0001AFFF);
	iwr(IOAPIC_RTE_HI(5), 0xFFFFFFFF);
	assert_int_equal(ird(IOAPIC_RTE_HI(5)), 0xFF000000);
	assert_int_equal(vioapic_rte(&io, 5), 0xFF0000000001AFFFULL);
	assert_int_equal(ird(IOAPIC_RTE_LO(4)), 0x00010000);	/* neighbours untouched */
	assert_int_equal(ird(IOAPIC_RTE_LO(6)), 0x00010000);
	iwr(IOAPIC_RTE_LO(23), 0x0000A0F1);
	assert_int_equal(ird(IOAPIC_RTE_LO(23)), 0x0000A0F1);
	/* reserved registers and pins beyond 23 */
	assert_int_equal(ird(0x03), 0);
	assert_int_equal(ird(0x0F), 0);
	assert_int_equal(ird(0x40), 0);
	assert_int_equal(ird(0xFF), 0);
	iwr(0x40, 0xFFFFFFFF);
	assert_int_equal(ird(0x40), 0);
	assert_int_equal(vioapic_rte(&io, 24), 0);
	/* IOREGSEL keeps 8 bits and reads back */
	sel(0x1234);
	assert_int_equal(vioapic_mmio_read(&io, IOAPIC_REGSEL, 4, &v), 0);
	assert_int_equal(v, 0x34);
	assert_int_equal(vioapic_mmio_write(&io, IOAPIC_REGSEL, 1, 0x01), 0);
	assert_int_equal(vioapic_mmio_read(&io, IOAPIC_WINDOW, 4, &v), 0);
	assert_int_equal(v, 0x00170020);
	/* sizes and other offsets */
	assert_int_equal(vioapic_mmio_read(&io, IOAPIC_WINDOW, 2, &v), -EINVAL);
	assert_int_equal(vioapic_mmio_write(&io, IOAPIC_WINDOW, 1, 0), -EINVAL);
	assert_int_equal(vioapic_mmio_write(&io, IOAPIC_REGSEL, 8, 0), -EINVAL);
	assert_int_equal(vioapic_mmio_read(&io, IOAPIC_REGSEL, 3, &v), -EINVAL);
	assert_int_equal(vioapic_mmio_write(&io, IOAPIC_EOI, 2, 0x30), -EINVAL);
	v = 1;
	assert_int_equal(vioapic_mmio_read(&io, 0x20, 4, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vioapic_mmio_read(&io, IOAPIC_EOI, 4, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vioapic_mmio_write(&io, 0x20, 4, 0x55), 0);
	assert_int_equal(ird(IOAPIC_VER), 0x00170020);
	assert_int_equal(vioapic_set_irq(&io, 24, true), -EINVAL);
	assert_int_equal(nkicks, 0);
}

static void test_masked_pins(void **state)
{
	(void)state;
	/* power-up: everything masked */
	for (u32 pin = 0; pin < VIOAPIC_PINS; pin++) {
		assert_int_equal(vioapic_set_irq(&io, pin, true), 0);
		assert_int_equal(vioapic_set_irq(&io, pin, false), 0);
	}
	assert_int_equal(nkicks, 0);
	/* an edge while masked is lost, unmasking does not replay it */
	set_rte(3, IOAPIC_RTE_MASKED | dest(1) | 0x33);
	vioapic_set_irq(&io, 3, true);
	set_rte(3, dest(1) | 0x33);
	assert_false(irr(&cpu[1], 0x33));
	vioapic_set_irq(&io, 3, false);
	vioapic_set_irq(&io, 3, true);
	assert_true(irr(&cpu[1], 0x33));
}

static void test_edge(void **state)
{
	(void)state;
	set_rte(4, dest(1) | 0x30);
	assert_int_equal(vioapic_set_irq(&io, 4, true), 0);
	assert_true(irr(&cpu[1], 0x30));
	assert_false(tmr(&cpu[1], 0x30));
	assert_int_equal(irr_count(&cpu[0]) + irr_count(&cpu[2]), 0);
	assert_int_equal(nkicks, 1);
	assert_int_equal(vioapic_rte(&io, 4) & IOAPIC_RTE_REMOTE_IRR, 0);
	take_and_eoi(&cpu[1], 0x30);
	assert_int_equal(neois, 0);			/* edge: no EOI broadcast */
	/* staying high is no new edge */
	vioapic_set_irq(&io, 4, true);
	assert_false(irr(&cpu[1], 0x30));
	vioapic_set_irq(&io, 4, false);
	assert_false(irr(&cpu[1], 0x30));
	vioapic_set_irq(&io, 4, true);
	assert_true(irr(&cpu[1], 0x30));
	assert_int_equal(nkicks, 2);
}

static void test_level_remote_irr(void **state)
{
	(void)state;
	set_rte(9, IOAPIC_RTE_LEVEL | IOAPIC_RTE_ACTIVE_LOW | dest(0) | 0x40);
	vioapic_set_irq(&io, 9, true);
	assert_true(irr(&cpu[0], 0x40));
	assert_true(tmr(&cpu[0], 0x40));
	assert_true(vioapic_rte(&io, 9) & IOAPIC_RTE_REMOTE_IRR);
	assert_true(ird(IOAPIC_RTE_LO(9)) & IOAPIC_RTE_REMOTE_IRR);
	assert_int_equal(nkicks, 1);
	/* still asserted, remote IRR set: nothing new */
	vioapic_set_irq(&io, 9, true);
	assert_int_equal(nkicks, 1);
	/* the guest writing the RTE does not clear remote IRR */
	iwr(IOAPIC_RTE_HI(9), 0);
	assert_true(vioapic_rte(&io, 9) & IOAPIC_RTE_REMOTE_IRR);
	assert_int_equal(nkicks, 1);

	/* EOI while the line is still asserted: delivered again */
	take_and_eoi(&cpu[0], 0x40);
	assert_int_equal(neois, 1);
	assert_true(irr(&cpu[0], 0x40));
	assert_true(vioapic_rte(&io, 9) & IOAPIC_RTE_REMOTE_IRR);
	assert_int_equal(nkicks, 2);

	/* device deasserts, then EOI: remote IRR clears, nothing more */
	vioapic_set_irq(&io, 9, false);
	take_and_eoi(&cpu[0], 0x40);
	assert_int_equal(neois, 2);
	assert_false(irr(&cpu[0], 0x40));
	assert_int_equal(vioapic_rte(&io, 9) & IOAPIC_RTE_REMOTE_IRR, 0);
	assert_int_equal(nkicks, 2);

	/* asserted again: delivered again */
	vioapic_set_irq(&io, 9, true);
	assert_true(irr(&cpu[0], 0x40));
	/* an EOI for another vector does not touch this pin */
	vioapic_eoi(&io, 0x41);
	assert_true(vioapic_rte(&io, 9) & IOAPIC_RTE_REMOTE_IRR);
}

static void test_level_masked_then_unmasked(void **state)
{
	(void)state;
	set_rte(10, IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL | dest(2) | 0x50);
	vioapic_set_irq(&io, 10, true);
	assert_false(irr(&cpu[2], 0x50));
	assert_int_equal(vioapic_rte(&io, 10) & IOAPIC_RTE_REMOTE_IRR, 0);
	/* unmasking an asserted level line delivers it */
	iwr(IOAPIC_RTE_LO(10), IOAPIC_RTE_LEVEL | 0x50);
	assert_true(irr(&cpu[2], 0x50));
	assert_true(vioapic_rte(&io, 10) & IOAPIC_RTE_REMOTE_IRR);
	/* masking, EOI, line still high: no delivery until unmasked */
	iwr(IOAPIC_RTE_LO(10), IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL | 0x50);
	take_and_eoi(&cpu[2], 0x50);
	assert_false(irr(&cpu[2], 0x50));
	assert_int_equal(vioapic_rte(&io, 10) & IOAPIC_RTE_REMOTE_IRR, 0);
	iwr(IOAPIC_RTE_LO(10), IOAPIC_RTE_LEVEL | 0x50);
	assert_true(irr(&cpu[2], 0x50));
}

static void test_eoi_register_and_edge_switch(void **state)
{
	(void)state;
	set_rte(11, IOAPIC_RTE_LEVEL | dest(1) | 0x60);
	set_rte(12, IOAPIC_RTE_LEVEL | dest(1) | 0x61);
	vioapic_set_irq(&io, 11, true);
	vioapic_set_irq(&io, 12, true);
	vioapic_set_irq(&io, 11, false);
	vioapic_set_irq(&io, 12, false);
	assert_true(vioapic_rte(&io, 11) & IOAPIC_RTE_REMOTE_IRR);
	assert_true(vioapic_rte(&io, 12) & IOAPIC_RTE_REMOTE_IRR);
	/* directed EOI through the version 0x20 EOI register */
	assert_int_equal(vioapic_mmio_write(&io, IOAPIC_EOI, 4, 0x60), 0);
	assert_int_equal(vioapic_rte(&io, 11) & IOAPIC_RTE_REMOTE_IRR, 0);
	assert_true(vioapic_rte(&io, 12) & IOAPIC_RTE_REMOTE_IRR);
	/* the old trick: flip to edge to clear remote IRR */
	iwr(IOAPIC_RTE_LO(12), 0x61);
	assert_int_equal(vioapic_rte(&io, 12) & IOAPIC_RTE_REMOTE_IRR, 0);
	iwr(IOAPIC_RTE_LO(12), IOAPIC_RTE_LEVEL | 0x61);
	assert_int_equal(vioapic_rte(&io, 12) & IOAPIC_RTE_REMOTE_IRR, 0);
}

static void test_destinations(void **state)
{
	(void)state;
	/* logical flat: LDR bits 0, 1, 2 */
	for (u32 i = 0; i < NCPU; i++)
		assert_int_equal(vlapic_mmio_write(&cpu[i], APIC_LDR, (1u << i) << 24), 0);
	set_rte(1, IOAPIC_RTE_LOGICAL | dest(0x6) | 0x70);
	vioapic_set_irq(&io, 1, true);
	assert_false(irr(&cpu[0], 0x70));
	assert_true(irr(&cpu[1], 0x70));
	assert_true(irr(&cpu[2], 0x70));
	/* lowest priority: one target only, the first match */
	set_rte(2, IOAPIC_RTE_LOGICAL | (APIC_DM_LOWPRI << IOAPIC_RTE_DM_SHIFT) | dest(0x6) | 0x71);
	vioapic_set_irq(&io, 2, true);
	assert_false(irr(&cpu[0], 0x71));
	assert_true(irr(&cpu[1], 0x71));
	assert_false(irr(&cpu[2], 0x71));
	/* physical 0xFF: broadcast */
	set_rte(5, dest(0xFF) | 0x72);
	vioapic_set_irq(&io, 5, true);
	for (u32 i = 0; i < NCPU; i++)
		assert_true(irr(&cpu[i], 0x72));
	/* 0xFF is a broadcast for x2APIC targets as well */
	assert_int_equal(vlapic_msr_write(&cpu[2], MSR_IA32_APIC_BASE,
					  VLAPIC_BASE | APIC_BASE_EN | APIC_BASE_EXTD), 0);
	set_rte(6, dest(0xFF) | 0x73);
	vioapic_set_irq(&io, 6, true);
	for (u32 i = 0; i < NCPU; i++)
		assert_true(irr(&cpu[i], 0x73));
	/* physical to an x2APIC target by id */
	set_rte(7, dest(2) | 0x74);
	vioapic_set_irq(&io, 7, true);
	assert_true(irr(&cpu[2], 0x74));
	assert_false(irr(&cpu[1], 0x74));
	/* physical id nobody has */
	set_rte(8, dest(7) | 0x75);
	vioapic_set_irq(&io, 8, true);
	for (u32 i = 0; i < NCPU; i++)
		assert_false(irr(&cpu[i], 0x75));
	/* NMI delivery mode */
	set_rte(13, (APIC_DM_NMI << IOAPIC_RTE_DM_SHIFT) | dest(1));
	vioapic_set_irq(&io, 13, true);
	assert_true(vlapic_take_nmi(&cpu[1]));
	assert_false(vlapic_take_nmi(&cpu[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_registers, setup),
		cmocka_unit_test_setup(test_masked_pins, setup),
		cmocka_unit_test_setup(test_edge, setup),
		cmocka_unit_test_setup(test_level_remote_irr, setup),
		cmocka_unit_test_setup(test_level_masked_then_unmasked, setup),
		cmocka_unit_test_setup(test_eoi_register_and_edge_switch, setup),
		cmocka_unit_test_setup(test_destinations, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
