/* Unit tests for the virtual local APIC: registers, IPIs, x2APIC (dm/vlapic.c). */
#include "vlapic_fixture.h"

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(grp.count, NCPU);
	for (u32 i = 0; i < NCPU; i++) {
		struct vlapic *l = &cpu[i];

		assert_ptr_equal(grp.vlapic[i], l);
		assert_int_equal(rd(l, APIC_ID), i << 24);
		assert_int_equal(rd(l, APIC_VER), 0x00060014);
		assert_int_equal(rd(l, APIC_TPR), 0);
		assert_int_equal(rd(l, APIC_PPR), 0);
		assert_int_equal(rd(l, APIC_LDR), 0);
		assert_int_equal(rd(l, APIC_DFR), 0xFFFFFFFF);
		assert_int_equal(rd(l, APIC_SVR), 0xFF);
		assert_int_equal(rd(l, APIC_ESR), 0);
		assert_int_equal(rd(l, APIC_ICR_LO), 0);
		assert_int_equal(rd(l, APIC_ICR_HI), 0);
		assert_int_equal(rd(l, APIC_LVT_CMCI), 0x10000);
		for (u32 off = APIC_LVT_TIMER; off <= APIC_LVT_ERROR; off += 16)
			assert_int_equal(rd(l, off), 0x10000);
		assert_int_equal(rd(l, APIC_TMICT), 0);
		assert_int_equal(rd(l, APIC_TMCCT), 0);
		assert_int_equal(rd(l, APIC_DCR), 0);
		for (u32 off = APIC_ISR; off < APIC_ESR; off += 16)
			assert_int_equal(rd(l, off), 0);
		assert_int_equal(vlapic_pending_vector(l), -1);
		assert_int_equal(vlapic_next_event(l), ~0ULL);
		assert_false(vlapic_sw_enabled(l));
		assert_false(vlapic_x2apic_mode(l));
	}
	assert_int_equal(rdmsr(&cpu[0], MSR_IA32_APIC_BASE), 0xFEE00900);
	assert_int_equal(rdmsr(&cpu[1], MSR_IA32_APIC_BASE), 0xFEE00800);
	assert_false(vlapic_waiting_sipi(&cpu[0]));
	assert_true(vlapic_waiting_sipi(&cpu[1]));
	assert_int_equal(vlapic_take_sipi(&cpu[1]), -1);
	assert_false(vlapic_take_init(&cpu[1]));
	assert_false(vlapic_take_nmi(&cpu[1]));
}

static void test_readonly_and_masks(void **state)
{
	struct vlapic *l = &cpu[1];

	(void)state;
	wr(l, APIC_SVR, 0x1FF);
	wr(l, APIC_ID, 0x07000000);
	wr(l, APIC_VER, 0);
	wr(l, APIC_PPR, 0xFF);
	wr(l, APIC_APR, 0xFF);
	wr(l, APIC_TMCCT, 1234);
	for (u32 off = APIC_ISR; off < APIC_ESR; off += 16)
		wr(l, off, 0xFFFFFFFF);
	assert_int_equal(rd(l, APIC_ID), 1u << 24);
	assert_int_equal(rd(l, APIC_VER), 0x00060014);
	assert_int_equal(rd(l, APIC_PPR), 0);
	assert_int_equal(rd(l, APIC_TMCCT), 0);
	for (u32 off = APIC_ISR; off < APIC_ESR; off += 16)
		assert_int_equal(rd(l, off), 0);
	assert_int_equal(vlapic_pending_vector(l), -1);

	wr(l, APIC_TPR, 0xFFFFFF5A);
	assert_int_equal(rd(l, APIC_TPR), 0x5A);
	wr(l, APIC_DFR, 0x00000000);
	assert_int_equal(rd(l, APIC_DFR), 0x0FFFFFFF);
	wr(l, APIC_LDR, 0x12345678);
	assert_int_equal(rd(l, APIC_LDR), 0x12000000);
	wr(l, APIC_ICR_HI, 0xFFFFFFFF);
	assert_int_equal(rd(l, APIC_ICR_HI), 0xFF000000);
	wr(l, APIC_SVR, 0xFFFFFFFF);
	assert_int_equal(rd(l, APIC_SVR), 0x3FF);
	wr(l, APIC_DCR, 0xFF);
	assert_int_equal(rd(l, APIC_DCR), 0xB);
	/* LVT writable bits per type; delivery status never sticks */
	wr(l, APIC_LVT_TIMER, 0xFFFFFFFF);
	assert_int_equal(rd(l, APIC_LVT_TIMER), 0x000700FF);
	wr(l, APIC_LVT_LINT0, 0xFFFFFFFF);
	assert_int_equal(rd(l, APIC_LVT_LINT0), 0x0001A7FF);
	wr(l, APIC_LVT_LINT1, 0xFFFFFFFF);
	assert_int_equal(rd(l, APIC_LVT_LINT1), 0x0001A7FF);
	wr(l, APIC_LVT_ERROR, 0xFFFFFFFF);
	assert_int_equal(rd(l, APIC_LVT_ERROR), 0x000100FF);
	wr(l, APIC_LVT_THERM, 0xFFFFFFFF);
	assert_int_equal(rd(l, APIC_LVT_THERM), 0x000107FF);
	wr(l, APIC_LVT_PMC, 0xFFFFFFFF);
	assert_int_equal(rd(l, APIC_LVT_PMC), 0x000107FF);
	wr(l, APIC_LVT_CMCI, 0xFFFFFFFF);
	assert_int_equal(rd(l, APIC_LVT_CMCI), 0x000107FF);
	/* EOI is write-only: reads 0 */
	assert_int_equal(rd(l, APIC_EOI), 0);
}

static void test_mmio_bad_access(void **state)
{
	struct vlapic *l = &cpu[0];
	u32 v = 0;

	(void)state;
	wr(l, APIC_SVR, 0x1FF);
	assert_int_equal(vlapic_mmio_read(l, 0x302, &v), -EINVAL);
	assert_int_equal(vlapic_mmio_write(l, 0x81, 1), -EINVAL);
	assert_int_equal(vlapic_mmio_read(l, 0x1000, &v), -EINVAL);
	assert_int_equal(vlapic_mmio_write(l, 0x2000, 1), -EINVAL);
	/* inside a register but not at its start: reads 0, writes dropped */
	v = 1;
	assert_int_equal(vlapic_mmio_read(l, APIC_TPR + 4, &v), 0);
	assert_int_equal(v, 0);
	wr(l, APIC_TPR + 4, 0x70);
	assert_int_equal(rd(l, APIC_TPR), 0);
	/* beyond 0x3F0: nothing there */
	assert_int_equal(rd(l, 0x800), 0);
	assert_int_equal(esr(l), 0);
	/* reserved register: illegal register address */
	assert_int_equal(rd(l, 0x040), 0);
	assert_int_equal(esr(l), APIC_ESR_ILLEGAL_REG);
	wr(l, 0x3F0, 1);	/* SELF IPI does not exist in xAPIC mode */
	assert_int_equal(esr(l), APIC_ESR_ILLEGAL_REG);
	assert_int_equal(esr(l), 0);
	/* globally disabled: page gone */
	wrmsr(l, MSR_IA32_APIC_BASE, VLAPIC_BASE);
	assert_int_equal(vlapic_mmio_read(l, APIC_ID, &v), -EINVAL);
	assert_int_equal(vlapic_mmio_write(l, APIC_TPR, 0), -EINVAL);
}

static void test_svr_enable(void **state)
{
	struct vlapic *l = &cpu[1];

	(void)state;
	/* software-disabled: fixed interrupts are dropped, LVTs stay masked */
	vlapic_accept_irq(l, 0x40, false);
	assert_false(irr(l, 0x40));
	assert_int_equal(nkicks, 0);
	wr(l, APIC_LVT_LINT1, 0x400);
	assert_int_equal(rd(l, APIC_LVT_LINT1), 0x10400);

	wr(l, APIC_SVR, 0x1FF);
	assert_true(vlapic_sw_enabled(l));
	wr(l, APIC_LVT_LINT1, 0x400);
	wr(l, APIC_LVT_TIMER, 0x30);
	assert_int_equal(rd(l, APIC_LVT_LINT1), 0x400);
	vlapic_accept_irq(l, 0x40, false);
	assert_true(irr(l, 0x40));
	assert_int_equal(nkicks, 1);
	assert_ptr_equal(kicked[0], l);

	/* disabling masks every LVT again; pending IRR is held */
	wr(l, APIC_SVR, 0x0FF);
	assert_int_equal(rd(l, APIC_LVT_LINT1), 0x10400);
	assert_int_equal(rd(l, APIC_LVT_TIMER), 0x10030);
	assert_int_equal(rd(l, APIC_LVT_ERROR), 0x10000);
	assert_int_equal(vlapic_pending_vector(l), 0x40);
}

/* ---- priorities, IRR/ISR/EOI ---- */

static void test_tpr_ppr(void **state)
{
	struct vlapic *l = &cpu[0];

	(void)state;
	wr(l, APIC_SVR, 0x1FF);
	vlapic_accept_irq(l, 0x51, false);
	vlapic_accept_irq(l, 0x62, false);
	assert_int_equal(vlapic_pending_vector(l), 0x62);
	wr(l, APIC_TPR, 0x60);
	assert_int_equal(rd(l, APIC_PPR), 0x60);
	assert_int_equal(vlapic_pending_vector(l), -1);	/* same class is masked */
	wr(l, APIC_TPR, 0x5F);
	assert_int_equal(vlapic_pending_vector(l), 0x62);
	vlapic_ack(l, 0x62);
	assert_false(irr(l, 0x62));
	assert_true(vec_in(l, APIC_ISR, 0x62));
	assert_int_equal(rd(l, APIC_PPR), 0x60);		/* ISR class wins */
	assert_int_equal(vlapic_pending_vector(l), -1);
	wr(l, APIC_EOI, 0);
	assert_int_equal(rd(l, APIC_PPR), 0x5F);		/* back to TPR */
	assert_int_equal(vlapic_pending_vector(l), -1);	/* 0x51: class 5 */
	wr(l, APIC_TPR, 0x4F);
	assert_int_equal(vlapic_pending_vector(l), 0x51);

	/* CR8 is TPR[7:4] */
	assert_int_equal(vlapic_get_cr8(l), 4);
	vlapic_set_cr8(l, 0x5);
	assert_int_equal(rd(l, APIC_TPR), 0x50);
	assert_int_equal(rd(l, APIC_PPR), 0x50);
	assert_int_equal(vlapic_pending_vector(l), -1);
	vlapic_set_cr8(l, 0);
	assert_int_equal(vlapic_pending_vector(l), 0x51);
}

static void test_nested_eoi(void **state)
{
	struct vlapic *l = &cpu[2];

	(void)state;
	wr(l, APIC_SVR, 0x1FF);
	wr(l, APIC_EOI, 0);	/* nothing in service: harmless */
	vlapic_accept_irq(l, 0x41, false);
	assert_int_equal(vlapic_pending_vector(l), 0x41);
	vlapic_ack(l, 0x41);
	assert_int_equal(rd(l, APIC_PPR), 0x40);
	vlapic_accept_irq(l, 0x45, false);		/* same class: waits */
	assert_int_equal(vlapic_pending_vector(l), -1);
	vlapic_accept_irq(l, 0x90, false);		/* higher class nests */
	assert_int_equal(vlapic_pending_vector(l), 0x90);
	vlapic_ack(l, 0x90);
	assert_int_equal(rd(l, APIC_PPR), 0x90);
	assert_int_equal(rd(l, APIC_ISR + 0x20), 1u << (0x41 - 0x40) | 0);
	assert_int_equal(rd(l, APIC_ISR + 0x40), 1u << (0x90 - 0x80));
	wr(l, APIC_EOI, 0);				/* retires 0x90 first */
	assert_false(vec_in(l, APIC_ISR, 0x90));
	assert_true(vec_in(l, APIC_ISR, 0x41));
	assert_int_equal(rd(l, APIC_PPR), 0x40);
	assert_int_equal(vlapic_pending_vector(l), -1);
	wr(l, APIC_EOI, 0);
	assert_int_equal(rd(l, APIC_PPR), 0);
	assert_int_equal(vlapic_pending_vector(l), 0x45);
	assert_int_equal(inject_and_eoi(l), 0x45);
	assert_int_equal(vlapic_pending_vector(l), -1);
	assert_int_equal(neois, 0);			/* all edge */
}

static void test_level_eoi_broadcast(void **state)
{
	struct vlapic *l = &cpu[1];

	(void)state;
	wr(l, APIC_SVR, 0x1FF);
	vlapic_accept_irq(l, 0x70, true);
	assert_true(vec_in(l, APIC_TMR, 0x70));
	assert_int_equal(inject_and_eoi(l), 0x70);
	assert_int_equal(neois, 1);
	assert_int_equal(eoi_vec[0], 0x70);
	/* the same vector as edge clears TMR: no broadcast */
	vlapic_accept_irq(l, 0x70, false);
	assert_false(vec_in(l, APIC_TMR, 0x70));
	assert_int_equal(inject_and_eoi(l), 0x70);
	assert_int_equal(neois, 1);
	/* no hook: no crash */
	grp.eoi = NULL;
	vlapic_accept_irq(l, 0x71, true);
	assert_int_equal(inject_and_eoi(l), 0x71);
	assert_int_equal(neois, 1);
}

static void test_illegal_vectors_and_error_lvt(void **state)
{
	struct vlapic *l = &cpu[0];

	(void)state;
	wr(l, APIC_SVR, 0x1FF);
	vlapic_accept_irq(l, 15, false);
	assert_int_equal(irr_count(l), 0);
	assert_int_equal(esr(l), APIC_ESR_RECV_ILLEGAL);
	wr(l, APIC_ICR_HI, 1u << 24);
	wr(l, APIC_ICR_LO, 0x0003);			/* fixed, vector 3 */
	assert_int_equal(irr_count(&cpu[1]), 0);
	assert_int_equal(esr(l), APIC_ESR_SEND_ILLEGAL);
	assert_int_equal(esr(l), 0);
	/* unmasked error LVT raises its vector */
	wr(l, APIC_LVT_ERROR, 0xFE);
	vlapic_accept_irq(l, 2, false);
	assert_true(irr(l, 0xFE));
	assert_int_equal(esr(l), APIC_ESR_RECV_ILLEGAL);
	/* an illegal error vector does not recurse */
	wr(l, APIC_LVT_ERROR, 0x05);
	vlapic_accept_irq(l, 1, false);
	assert_int_equal(irr_count(l), 1);
}

/* ---- IPIs, xAPIC ---- */

static void test_icr_physical(void **state)
{
	(void)state;
	enable_all();
	wr(&cpu[0], APIC_ICR_HI, 2u << 24);
	wr(&cpu[0], APIC_ICR_LO, 0x4041);	/* fixed, assert, vector 0x41 */
	assert_true(irr(&cpu[2], 0x41));
	assert_int_equal(irr_count(&cpu[0]), 0);
	assert_int_equal(irr_count(&cpu[1]), 0);
	assert_int_equal(irr_count(&cpu[3]), 0);
	assert_int_equal(nkicks, 1);
	assert_ptr_equal(kicked[0], &cpu[2]);
	assert_false(vec_in(&cpu[2], APIC_TMR, 0x41));
	assert_int_equal(rd(&cpu[0], APIC_ICR_LO) & APIC_ICR_BUSY, 0);
	assert_int_equal(rd(&cpu[0], APIC_ICR_LO), 0x4041);
	/* level trigger in the ICR is ignored for fixed IPIs */
	wr(&cpu[0], APIC_ICR_HI, 3u << 24);
	wr(&cpu[0], APIC_ICR_LO, 0xC042);
	assert_true(irr(&cpu[3], 0x42));
	assert_false(vec_in(&cpu[3], APIC_TMR, 0x42));
	/* no such APIC: nothing */
	wr(&cpu[0], APIC_ICR_HI, 9u << 24);
	wr(&cpu[0], APIC_ICR_LO, 0x43);
	assert_int_equal(irr_mask(0x43), 0x0);
	/* physical broadcast */
	wr(&cpu[0], APIC_ICR_HI, 0xFFu << 24);
	wr(&cpu[0], APIC_ICR_LO, 0x44);
	assert_int_equal(irr_mask(0x44), 0xF);
}

static void test_icr_shorthands(void **state)
{
	(void)state;
	enable_all();
	wr(&cpu[1], APIC_ICR_HI, 3u << 24);		/* ignored with a shorthand */
	wr(&cpu[1], APIC_ICR_LO, (APIC_SH_SELF << 18) | 0x50);
	assert_true(irr(&cpu[1], 0x50));
	assert_false(irr(&cpu[3], 0x50));
	assert_int_equal(irr_count(&cpu[0]) + irr_count(&cpu[2]), 0);

	wr(&cpu[1], APIC_ICR_LO, (APIC_SH_ALL << 18) | 0x51);
	assert_int_equal(irr_mask(0x51), 0xF);

	wr(&cpu[1], APIC_ICR_LO, (APIC_SH_OTHERS << 18) | 0x52);
	assert_int_equal(irr_mask(0x52), 0xD);
	/* a globally disabled APIC receives nothing */
	wrmsr(&cpu[3], MSR_IA32_APIC_BASE, VLAPIC_BASE);
	wr(&cpu[1], APIC_ICR_LO, (APIC_SH_ALL << 18) | 0x53);
	assert_false(irr(&cpu[3], 0x53));
	assert_true(irr(&cpu[0], 0x53));
}

static void test_icr_logical_flat(void **state)
{
	(void)state;
	enable_all();
	for (u32 i = 0; i < NCPU; i++)
		wr(&cpu[i], APIC_LDR, (1u << i) << 24);
	wr(&cpu[0], APIC_ICR_HI, 0x06u << 24);
	wr(&cpu[0], APIC_ICR_LO, APIC_ICR_LOGICAL | 0x60);
	assert_int_equal(irr_mask(0x60), 0x6);
	wr(&cpu[0], APIC_ICR_HI, 0x30u << 24);		/* no such bits */
	wr(&cpu[0], APIC_ICR_LO, APIC_ICR_LOGICAL | 0x61);
	assert_int_equal(irr_mask(0x61), 0x0);
	wr(&cpu[0], APIC_ICR_HI, 0xFFu << 24);		/* logical broadcast */
	wr(&cpu[0], APIC_ICR_LO, APIC_ICR_LOGICAL | 0x62);
	assert_int_equal(irr_mask(0x62), 0xF);
	/* physical dest 2 is not logical dest 2 */
	wr(&cpu[0], APIC_ICR_HI, 0x02u << 24);
	wr(&cpu[0], APIC_ICR_LO, 0x63);
	assert_true(irr(&cpu[2], 0x63));
	assert_false(irr(&cpu[1], 0x63));
}

static void test_icr_logical_cluster(void **state)
{
	static const u32 ldr[NCPU] = { 0x11, 0x12, 0x21, 0x22 };

	(void)state;
	enable_all();
	for (u32 i = 0; i < NCPU; i++) {
		wr(&cpu[i], APIC_DFR, 0x0FFFFFFF);
		wr(&cpu[i], APIC_LDR, ldr[i] << 24);
	}
	wr(&cpu[0], APIC_ICR_HI, 0x13u << 24);		/* cluster 1, members 0,1 */
	wr(&cpu[0], APIC_ICR_LO, APIC_ICR_LOGICAL | 0x70);
	assert_int_equal(irr_mask(0x70), 0x3);
	wr(&cpu[0], APIC_ICR_HI, 0x22u << 24);		/* cluster 2, member 1 */
	wr(&cpu[0], APIC_ICR_LO, APIC_ICR_LOGICAL | 0x71);
	assert_false(irr(&cpu[2], 0x71));
	assert_true(irr(&cpu[3], 0x71));
	assert_int_equal(irr_count(&cpu[0]) + irr_count(&cpu[1]), 2);
	wr(&cpu[0], APIC_ICR_HI, 0x32u << 24);		/* cluster 3: nobody */
	wr(&cpu[0], APIC_ICR_LO, APIC_ICR_LOGICAL | 0x72);
	assert_int_equal(irr_mask(0x72), 0x0);
	wr(&cpu[0], APIC_ICR_HI, 0xFFu << 24);
	wr(&cpu[0], APIC_ICR_LO, APIC_ICR_LOGICAL | 0x73);
	assert_int_equal(irr_mask(0x73), 0xF);
}

static void test_lowest_priority(void **state)
{
	(void)state;
	enable_all();
	for (u32 i = 0; i < NCPU; i++)
		wr(&cpu[i], APIC_LDR, (1u << i) << 24);
	wr(&cpu[3], APIC_ICR_HI, 0x0Eu << 24);
	wr(&cpu[3], APIC_ICR_LO, APIC_ICR_LOGICAL | (APIC_DM_LOWPRI << 8) | 0x80);
	assert_int_equal(irr_count(&cpu[0]), 0);
	assert_true(irr(&cpu[1], 0x80));
	assert_false(irr(&cpu[2], 0x80));
	assert_false(irr(&cpu[3], 0x80));
	/* a software-disabled first match is passed over */
	wr(&cpu[1], APIC_SVR, 0xFF);
	vlapic_deliver(&grp, 0x0E, true, APIC_DM_LOWPRI, 0x81, false, APIC_SH_NONE, NULL);
	assert_false(irr(&cpu[1], 0x81));
	assert_true(irr(&cpu[2], 0x81));
	assert_false(irr(&cpu[3], 0x81));
}

static void test_nmi_and_dropped_modes(void **state)
{
	(void)state;
	enable_all();
	wr(&cpu[0], APIC_ICR_HI, 1u << 24);
	wr(&cpu[0], APIC_ICR_LO, APIC_DM_NMI << 8);
	assert_int_equal(nkicks, 1);
	assert_true(vlapic_take_nmi(&cpu[1]));
	assert_false(vlapic_take_nmi(&cpu[1]));
	assert_false(vlapic_take_nmi(&cpu[0]));
	/* SMI and ExtINT have no receiver here */
	wr(&cpu[0], APIC_ICR_LO, (APIC_DM_SMI << 8) | 0x20);
	wr(&cpu[0], APIC_ICR_LO, (APIC_DM_EXTINT << 8) | 0x20);
	assert_int_equal(irr_count(&cpu[1]), 0);
	assert_false(vlapic_take_nmi(&cpu[1]));
	assert_int_equal(nkicks, 1);
	/* NMI reaches a software-disabled APIC */
	wr(&cpu[2], APIC_SVR, 0xFF);
	vlapic_deliver(&grp, 2, false, APIC_DM_NMI, 0, false, APIC_SH_NONE, NULL);
	assert_true(vlapic_take_nmi(&cpu[2]));
}

static void test_init_sipi(void **state)
{
	struct vlapic *ap = &cpu[1];

	(void)state;
	wr(&cpu[0], APIC_SVR, 0x1FF);
	/* an AP at power-up takes a SIPI directly */
	wr(&cpu[0], APIC_ICR_HI, 1u << 24);
	wr(&cpu[0], APIC_ICR_LO, (APIC_DM_SIPI << 8) | 0x9A);
	assert_int_equal(nkicks, 1);
	assert_int_equal(vlapic_take_sipi(ap), 0x9A);
	assert_false(vlapic_waiting_sipi(ap));
	assert_int_equal(vlapic_take_sipi(ap), -1);
	/* a SIPI to a running CPU is dropped */
	wr(&cpu[0], APIC_ICR_LO, (APIC_DM_SIPI << 8) | 0x9B);
	assert_int_equal(vlapic_take_sipi(ap), -1);

	/* the AP runs and sets state that INIT must clear */
	wr(ap, APIC_SVR, 0x1FF);
	wr(ap, APIC_TPR, 0x30);
	wr(ap, APIC_LDR, 0x02000000);
	wr(ap, APIC_LVT_TIMER, 0x20);
	wr(ap, APIC_TMICT, 100);
	vlapic_accept_irq(ap, 0x40, false);

	/* INIT-SIPI-SIPI as Linux sends it: assert, de-assert, two SIPIs */
	wr(&cpu[0], APIC_ICR_LO, APIC_ICR_LEVEL | APIC_ICR_ASSERT | (APIC_DM_INIT << 8));
	assert_true(vlapic_take_init(ap));
	wr(&cpu[0], APIC_ICR_LO, APIC_ICR_LEVEL | (APIC_DM_INIT << 8));
	assert_false(vlapic_take_init(ap));		/* the de-assert did nothing */
	assert_true(vlapic_waiting_sipi(ap));
	assert_int_equal(vlapic_take_sipi(ap), -1);	/* the dropped 0x9B is gone */
	assert_int_equal(rd(ap, APIC_SVR), 0xFF);
	assert_int_equal(rd(ap, APIC_TPR), 0);
	assert_int_equal(rd(ap, APIC_LDR), 0);
	assert_int_equal(rd(ap, APIC_ID), 1u << 24);
	assert_int_equal(rd(ap, APIC_LVT_TIMER), 0x10000);
	assert_int_equal(rd(ap, APIC_TMICT), 0);
	assert_int_equal(vlapic_next_event(ap), ~0ULL);
	assert_int_equal(irr_count(ap), 0);
	assert_int_equal(rdmsr(ap, MSR_IA32_APIC_BASE), 0xFEE00800);
	wr(&cpu[0], APIC_ICR_LO, (APIC_DM_SIPI << 8) | 0x08);
	wr(&cpu[0], APIC_ICR_LO, (APIC_DM_SIPI << 8) | 0x08);
	assert_int_equal(vlapic_take_sipi(ap), 0x08);
	assert_int_equal(vlapic_take_sipi(ap), -1);
	/* a SIPI that overtakes the INIT processing is kept */
	wr(&cpu[0], APIC_ICR_LO, APIC_ICR_LEVEL | APIC_ICR_ASSERT | (APIC_DM_INIT << 8));
	wr(&cpu[0], APIC_ICR_LO, (APIC_DM_SIPI << 8) | 0x10);
	assert_int_equal(vlapic_take_sipi(ap), -1);	/* INIT not taken yet */
	assert_true(vlapic_take_init(ap));
	assert_int_equal(vlapic_take_sipi(ap), 0x10);
	/* INIT to all others by shorthand */
	wr(&cpu[0], APIC_ICR_LO, (APIC_SH_OTHERS << 18) | APIC_ICR_ASSERT | (APIC_DM_INIT << 8));
	assert_false(vlapic_take_init(&cpu[0]));
	for (int i = 1; i < NCPU; i++)
		assert_true(vlapic_take_init(&cpu[i]));
}

static void test_deliver_msi(void **state)
{
	(void)state;
	enable_all();
	assert_int_equal(vlapic_deliver_msi(&grp, 0xFEE02000, 0x0031), 0);
	assert_true(irr(&cpu[2], 0x31));
	assert_int_equal(irr_count(&cpu[0]) + irr_count(&cpu[1]) + irr_count(&cpu[3]), 0);
	/* level-triggered MSI sets TMR */
	assert_int_equal(vlapic_deliver_msi(&grp, 0xFEE03000, 0xC032), 0);
	assert_true(vec_in(&cpu[3], APIC_TMR, 0x32));
	/* dest 0xFF: broadcast */
	assert_int_equal(vlapic_deliver_msi(&grp, 0xFEEFF000, 0x33), 0);
	assert_int_equal(irr_mask(0x33), 0xF);
	/* logical */
	wr(&cpu[1], APIC_LDR, 0x04000000);
	assert_int_equal(vlapic_deliver_msi(&grp, 0xFEE04004, 0x34), 0);
	assert_true(irr(&cpu[1], 0x34));
	assert_false(irr(&cpu[0], 0x34));
	/* NMI by MSI */
	assert_int_equal(vlapic_deliver_msi(&grp, 0xFEE00000, APIC_DM_NMI << 8), 0);
	assert_true(vlapic_take_nmi(&cpu[0]));
	/* not an interrupt address */
	assert_int_equal(vlapic_deliver_msi(&grp, 0xFED00000, 0x35), -EINVAL);
	assert_int_equal(vlapic_deliver_msi(&grp, 0x1FEE00000ULL, 0x35), -EINVAL);
	assert_int_equal(irr_mask(0x35), 0x0);
}

/* ---- x2APIC ---- */

static void test_apic_base_transitions(void **state)
{
	struct vlapic *l = &cpu[1];
	u64 base = VLAPIC_BASE;
	u32 v;

	(void)state;
	assert_int_equal(vlapic_msr_write(l, MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD), -EINVAL);
	assert_int_equal(vlapic_msr_write(l, MSR_IA32_APIC_BASE, base | APIC_BASE_EN | BIT(9)), -EINVAL);
	assert_int_equal(vlapic_msr_write(l, MSR_IA32_APIC_BASE, base | APIC_BASE_EN | 1), -EINVAL);
	assert_int_equal(vlapic_msr_write(l, MSR_IA32_APIC_BASE, base | APIC_BASE_EN | BIT(40)), -EINVAL);
	assert_int_equal(vlapic_msr_write(l, MSR_IA32_APIC_BASE, 0xFED00000 | APIC_BASE_EN), -EINVAL);
	/* the BSP flag is not the guest's to change */
	wrmsr(l, MSR_IA32_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_BSP);
	assert_int_equal(rdmsr(l, MSR_IA32_APIC_BASE), 0xFEE00800);

	wr(l, APIC_SVR, 0x1FF);
	wr(l, APIC_TPR, 0x20);
	to_x2apic(l);
	assert_int_equal(rdmsr(l, MSR_IA32_APIC_BASE), 0xFEE00C00);
	assert_int_equal(vlapic_mmio_read(l, APIC_ID, &v), -EINVAL);
	assert_int_equal(vlapic_mmio_write(l, APIC_TPR, 0), -EINVAL);
	assert_int_equal(rdmsr(l, 0x802), 1);
	assert_int_equal(rdmsr(l, 0x80D), 0x2);
	assert_int_equal(rdmsr(l, 0x808), 0x20);	/* state kept */
	assert_int_equal(rdmsr(l, 0x80F), 0x1FF);
	/* x2APIC -> xAPIC directly is illegal */
	assert_int_equal(vlapic_msr_write(l, MSR_IA32_APIC_BASE, base | APIC_BASE_EN), -EINVAL);
	assert_true(vlapic_x2apic_mode(l));
	/* INIT keeps x2APIC mode and the derived ids */
	vlapic_reset(l);
	assert_int_equal(rdmsr(l, 0x802), 1);
	assert_int_equal(rdmsr(l, 0x80D), 0x2);
	assert_int_equal(rdmsr(l, 0x80F), 0xFF);
	/* x2APIC -> disabled -> xAPIC */
	wrmsr(l, MSR_IA32_APIC_BASE, base);
	assert_false(vlapic_hw_enabled(l));
	assert_int_equal(vlapic_msr_read(l, 0x802, &(u64){0}), -EINVAL);
	/* disabled -> x2APIC directly is illegal */
	assert_int_equal(vlapic_msr_write(l, MSR_IA32_APIC_BASE,
					  base | APIC_BASE_EN | APIC_BASE_EXTD), -EINVAL);
	wrmsr(l, MSR_IA32_APIC_BASE, base | APIC_BASE_EN);
	assert_int_equal(rd(l, APIC_ID), 1u << 24);
	assert_int_equal(rd(l, APIC_SVR), 0xFF);
	assert_int_equal(rd(l, APIC_TPR), 0);
	assert_int_equal(rd(l, APIC_LDR), 0);

	/* x2APIC logical id for a higher APIC id: cluster 1, bit 1 */
	vlapic_init(&extra, &grp, 17, false);
	assert_int_equal(grp.count, 18);
	to_x2apic(&extra);
	assert_int_equal(rdmsr(&extra, 0x802), 17);
	assert_int_equal(rdmsr(&extra, 0x80D), 0x00010002);
}

static void test_x2apic_msr_rules(void **state)
{
	struct vlapic *l = &cpu[0];
	static const u32 ro[] = { 0x802, 0x803, 0x80A, 0x80D, 0x810, 0x817, 0x818,
				  0x820, 0x827, 0x839 };
	static const u32 rsvd[] = { 0x800, 0x801, 0x804, 0x809, 0x80C, 0x80E, 0x829,
				    0x82E, 0x831, 0x83A, 0x83D, 0x840, 0x8FF };
	u64 v;

	(void)state;
	assert_true(vlapic_msr_is_apic(0x1B));
	assert_true(vlapic_msr_is_apic(0x6E0));
	assert_true(vlapic_msr_is_apic(0x800));
	assert_true(vlapic_msr_is_apic(0x8FF));
	assert_false(vlapic_msr_is_apic(0x7FF));
	assert_false(vlapic_msr_is_apic(0x900));
	assert_false(vlapic_msr_is_apic(0x10));
	assert_int_equal(vlapic_msr_read(l, 0x7FF, &v), -EINVAL);
	assert_int_equal(vlapic_msr_write(l, 0x900, 0), -EINVAL);

	/* x2APIC MSRs #GP in xAPIC mode */
	assert_int_equal(vlapic_msr_read(l, 0x802, &v), -EINVAL);
	assert_int_equal(vlapic_msr_write(l, 0x808, 0), -EINVAL);

	to_x2apic(l);
	for (size_t i = 0; i < ARRAY_SIZE(ro); i++) {
		assert_int_equal(vlapic_msr_read(l, ro[i], &v), 0);
		assert_int_equal(vlapic_msr_write(l, ro[i], 0), -EINVAL);
	}
	for (size_t i = 0; i < ARRAY_SIZE(rsvd); i++) {
		assert_int_equal(vlapic_msr_read(l, rsvd[i], &v), -EINVAL);
		assert_int_equal(vlapic_msr_write(l, rsvd[i], 0), -EINVAL);
	}
	/* write-only */
	assert_int_equal(vlapic_msr_read(l, 0x80B, &v), -EINVAL);
	assert_int_equal(vlapic_msr_read(l, 0x83F, &v), -EINVAL);
	/* reserved bits */
	assert_int_equal(vlapic_msr_write(l, 0x80B, 1), -EINVAL);	/* EOI */
	assert_int_equal(vlapic_msr_write(l, 0x828, 1), -EINVAL);	/* ESR */
	assert_int_equal(vlapic_msr_write(l, 0x808, 0x100), -EINVAL);	/* TPR */
	assert_int_equal(vlapic_msr_write(l, 0x808, 1ULL << 32), -EINVAL);
	assert_int_equal(vlapic_msr_write(l, 0x80F, 0x11FF), -EINVAL);	/* no EOI suppr. */
	assert_int_equal(vlapic_msr_write(l, 0x83E, 0x4), -EINVAL);	/* DCR */
	assert_int_equal(vlapic_msr_write(l, 0x832, BIT(20)), -EINVAL);	/* LVT timer */
	assert_int_equal(vlapic_msr_write(l, 0x832, 3u << 17), -EINVAL);	/* mode 3 */
	assert_int_equal(vlapic_msr_write(l, 0x835, BIT(17)), -EINVAL);	/* LINT0 */
	assert_int_equal(vlapic_msr_write(l, 0x837, 0x700), -EINVAL);	/* error: no DM */
	assert_int_equal(vlapic_msr_write(l, 0x838, 1ULL << 32), -EINVAL);
	assert_int_equal(vlapic_msr_write(l, 0x83F, 0x100), -EINVAL);	/* SELF IPI */
	assert_int_equal(vlapic_msr_write(l, 0x830, BIT(13)), -EINVAL);	/* ICR */
	assert_int_equal(vlapic_msr_write(l, 0x830, BIT(16)), -EINVAL);
	assert_int_equal(vlapic_msr_write(l, 0x830, BIT(31)), -EINVAL);
	/* nothing above changed state */
	assert_int_equal(rdmsr(l, 0x808), 0);
	assert_int_equal(rdmsr(l, 0x80F), 0xFF);
	assert_int_equal(rdmsr(l, 0x832), 0x10000);
	assert_int_equal(rdmsr(l, 0x83E), 0);

	/* legal accesses */
	wrmsr(l, 0x80F, 0x1FF);
	wrmsr(l, 0x808, 0x30);
	assert_int_equal(rdmsr(l, 0x808), 0x30);
	assert_int_equal(rdmsr(l, 0x80A), 0x30);
	wrmsr(l, 0x832, 0x000200EC | BIT(12));	/* RO delivery status tolerated */
	assert_int_equal(rdmsr(l, 0x832), 0x000200EC);
	wrmsr(l, 0x835, 0x700 | BIT(14));	/* remote IRR tolerated, not stored */
	assert_int_equal(rdmsr(l, 0x835), 0x700);
	wrmsr(l, 0x83E, 0xB);
	assert_int_equal(rdmsr(l, 0x83E), 0xB);
	wrmsr(l, 0x828, 0);
	assert_int_equal(rdmsr(l, 0x828), 0);
	wrmsr(l, 0x838, 0xFFFFFFFF);
	assert_int_equal(rdmsr(l, 0x838), 0xFFFFFFFF);
	wrmsr(l, 0x830, BIT(12) | (5ULL << 32) | 0x40);	/* BUSY ignored; no APIC 5 */
	assert_int_equal(rdmsr(l, 0x830), (5ULL << 32) | 0x40);
	assert_int_equal(rdmsr(l, 0x803), 0x00060014);
}

/* The ICR's own entry (what the MSR exit calls for 0x830): the same rules, one target. */
static void test_x2apic_icr_entry(void **state)
{
	(void)state;
	enable_all();
	assert_int_equal(vlapic_x2apic_icr_write(&cpu[0], (2ULL << 32) | 0x61), -EINVAL); /* xAPIC */
	assert_int_equal(irr_mask(0x61), 0x0);
	to_x2apic(&cpu[0]);
	to_x2apic(&cpu[2]);
	assert_int_equal(vlapic_x2apic_icr_write(&cpu[0], BIT(16) | 0x62), -EINVAL); /* reserved */
	assert_int_equal(vlapic_x2apic_icr_write(&cpu[0], (2ULL << 32) | 0x63), 0);
	assert_int_equal(irr_mask(0x63), 0x4);
	assert_int_equal(rdmsr(&cpu[0], 0x830), (2ULL << 32) | 0x63);
	/* a target still in xAPIC mode matches by its ID register, as the group walk does */
	assert_int_equal(vlapic_x2apic_icr_write(&cpu[0], (1ULL << 32) | 0x64), 0);
	assert_int_equal(irr_mask(0x64), 0x2);
	/* software-disabled target: accepted by nobody */
	wr(&cpu[3], APIC_SVR, 0xFF);
	assert_int_equal(vlapic_x2apic_icr_write(&cpu[0], (3ULL << 32) | 0x65), 0);
	assert_int_equal(irr_mask(0x65), 0x0);
}

static void test_x2apic_ipis(void **state)
{
	(void)state;
	enable_all();
	for (int i = 0; i < NCPU; i++)
		to_x2apic(&cpu[i]);
	/* physical */
	wrmsr(&cpu[0], 0x830, (3ULL << 32) | 0x55);
	assert_true(irr(&cpu[3], 0x55));
	assert_int_equal(irr_count(&cpu[0]) + irr_count(&cpu[1]) + irr_count(&cpu[2]), 0);
	assert_ptr_equal(kicked[0], &cpu[3]);
	/* 32-bit ids: 0x103 is not APIC 3 */
	wrmsr(&cpu[0], 0x830, (0x103ULL << 32) | 0x56);
	assert_false(irr(&cpu[3], 0x56));
	/* physical 0xFF is an ordinary id in x2APIC mode */
	wrmsr(&cpu[0], 0x830, (0xFFULL << 32) | 0x57);
	assert_int_equal(irr_mask(0x57), 0x0);
	/* broadcast */
	wrmsr(&cpu[0], 0x830, (0xFFFFFFFFULL << 32) | 0x58);
	assert_int_equal(irr_mask(0x58), 0xF);
	/* logical: cluster 0, bits 1 and 2 */
	wrmsr(&cpu[0], 0x830, (0x6ULL << 32) | APIC_ICR_LOGICAL | 0x59);
	assert_int_equal(irr_mask(0x59), 0x6);
	/* logical: wrong cluster */
	wrmsr(&cpu[0], 0x830, (0x1000FULL << 32) | APIC_ICR_LOGICAL | 0x5A);
	assert_int_equal(irr_mask(0x5A), 0x0);
	/* logical broadcast */
	wrmsr(&cpu[0], 0x830, (0xFFFFFFFFULL << 32) | APIC_ICR_LOGICAL | 0x5B);
	assert_int_equal(irr_mask(0x5B), 0xF);
	/* shorthands */
	wrmsr(&cpu[2], 0x830, (APIC_SH_SELF << 18) | 0x5C);
	assert_true(irr(&cpu[2], 0x5C));
	assert_int_equal(irr(&cpu[0], 0x5C) + irr(&cpu[1], 0x5C) + irr(&cpu[3], 0x5C), 0);
	wrmsr(&cpu[2], 0x830, (APIC_SH_ALL << 18) | 0x5D);
	assert_int_equal(irr_mask(0x5D), 0xF);
	wrmsr(&cpu[2], 0x830, (APIC_SH_OTHERS << 18) | 0x5E);
	assert_int_equal(irr_mask(0x5E), 0xB);
	/* SELF IPI register */
	wrmsr(&cpu[1], 0x83F, 0xE1);
	assert_true(irr(&cpu[1], 0xE1));
	assert_false(irr(&cpu[0], 0xE1));
	wrmsr(&cpu[1], 0x83F, 0x05);
	wrmsr(&cpu[1], 0x828, 0);
	assert_int_equal(rdmsr(&cpu[1], 0x828), APIC_ESR_SEND_ILLEGAL);
	/* EOI by MSR */
	vlapic_ack(&cpu[1], 0xE1);
	assert_int_equal(rdmsr(&cpu[1], 0x80A), 0xE0);
	assert_int_equal(rdmsr(&cpu[1], 0x817), 1u << 1);	/* ISR word 7 */
	wrmsr(&cpu[1], 0x80B, 0);
	assert_int_equal(rdmsr(&cpu[1], 0x80A), 0);
	assert_int_equal(rdmsr(&cpu[1], 0x817), 0);
	/* INIT / SIPI through MSR 0x830, as Linux does in x2APIC mode */
	wrmsr(&cpu[0], 0x830, (2ULL << 32) | APIC_ICR_LEVEL | APIC_ICR_ASSERT | (APIC_DM_INIT << 8));
	assert_true(vlapic_take_init(&cpu[2]));
	wrmsr(&cpu[0], 0x830, (2ULL << 32) | APIC_ICR_LEVEL | (APIC_DM_INIT << 8));
	assert_false(vlapic_take_init(&cpu[2]));
	assert_true(vlapic_x2apic_mode(&cpu[2]));
	wrmsr(&cpu[0], 0x830, (2ULL << 32) | (APIC_DM_SIPI << 8) | 0x08);
	assert_int_equal(vlapic_take_sipi(&cpu[2]), 0x08);
	/* NMI */
	wrmsr(&cpu[0], 0x830, (3ULL << 32) | (APIC_DM_NMI << 8));
	assert_true(vlapic_take_nmi(&cpu[3]));
}

static void test_x2apic_xapic_format_broadcast(void **state)
{
	(void)state;
	enable_all();
	to_x2apic(&cpu[1]);
	/* IOAPIC/MSI 8-bit 0xFF is mapped to VLAPIC_BROADCAST by the sender */
	vlapic_deliver(&grp, VLAPIC_BROADCAST, false, APIC_DM_FIXED, 0x66, false, APIC_SH_NONE, NULL);
	assert_int_equal(irr_mask(0x66), 0xF);
	/* an xAPIC target never matches a dest beyond 8 bits */
	vlapic_deliver(&grp, 0x100, false, APIC_DM_FIXED, 0x67, false, APIC_SH_NONE, NULL);
	assert_false(irr(&cpu[0], 0x67));
	/* mixed modes: x2APIC target by full id, xAPIC one by 8-bit id */
	vlapic_deliver(&grp, 1, false, APIC_DM_FIXED, 0x68, false, APIC_SH_NONE, NULL);
	vlapic_deliver(&grp, 2, false, APIC_DM_FIXED, 0x68, false, APIC_SH_NONE, NULL);
	assert_true(irr(&cpu[1], 0x68));
	assert_true(irr(&cpu[2], 0x68));
	assert_false(irr(&cpu[0], 0x68));
}

/* ---- timer ---- */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, setup),
		cmocka_unit_test_setup(test_readonly_and_masks, setup),
		cmocka_unit_test_setup(test_mmio_bad_access, setup),
		cmocka_unit_test_setup(test_svr_enable, setup),
		cmocka_unit_test_setup(test_tpr_ppr, setup),
		cmocka_unit_test_setup(test_nested_eoi, setup),
		cmocka_unit_test_setup(test_level_eoi_broadcast, setup),
		cmocka_unit_test_setup(test_illegal_vectors_and_error_lvt, setup),
		cmocka_unit_test_setup(test_icr_physical, setup),
		cmocka_unit_test_setup(test_icr_shorthands, setup),
		cmocka_unit_test_setup(test_icr_logical_flat, setup),
		cmocka_unit_test_setup(test_icr_logical_cluster, setup),
		cmocka_unit_test_setup(test_lowest_priority, setup),
		cmocka_unit_test_setup(test_nmi_and_dropped_modes, setup),
		cmocka_unit_test_setup(test_init_sipi, setup),
		cmocka_unit_test_setup(test_deliver_msi, setup),
		cmocka_unit_test_setup(test_apic_base_transitions, setup),
		cmocka_unit_test_setup(test_x2apic_msr_rules, setup),
		cmocka_unit_test_setup(test_x2apic_ipis, setup),
		cmocka_unit_test_setup(test_x2apic_icr_entry, setup),
		cmocka_unit_test_setup(test_x2apic_xapic_format_broadcast, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
