/*
 * SET_VCPU_REGS register checks (hypercall/regs.c): states a CPU accepts at VM
 * entry pass, each kind of inconsistency is refused. Table-driven: a good
 * start state, one field changed per case.
 */
#include "hcall_fake.h"

enum mode { PM32, REAL, LONG64 };

static struct abi_regs base(enum mode m)
{
	struct abi_regs r = { 0 };

	r.rflags = 0x2;
	switch (m) {
	case PM32:
		r.cr0 = 0x11;			/* PE ET */
		r.cs_ar = 0xC09B;		/* G D/B P S code/exec/read/accessed */
		r.cs_limit = 0xFFFFFFFF;
		r.rip = 0x100000;
		break;
	case REAL:
		r.cr0 = 0x30;			/* ET NE */
		r.cs_ar = 0x9B;
		r.cs_limit = 0xFFFF;
		r.cs_base = 0xFFFF0000;
		r.rip = 0xFFF0;
		break;
	case LONG64:
		r.cr0 = 0x80000011;		/* PG PE ET */
		r.cr4 = 0x20;			/* PAE */
		r.cr3 = 0x9000;
		r.ia32_efer = 0x500;		/* LME LMA */
		r.cs_ar = 0xA09B;		/* G L P S code */
		r.cs_limit = 0xFFFFFFFF;
		r.rip = 0xFFFFFFFF81000000ULL;
		r.gdt.base = 0xFFFF888000001000ULL;
		break;
	}
	return r;
}

struct regs_case {
	const char *what;
	enum mode mode;
	void (*tweak)(struct abi_regs *r);
};

#define TWEAK(name, body) static void name(struct abi_regs *r) { body; }

TWEAK(none, (void)r)
TWEAK(real_data_cs, r->cs_ar = 0x93)
TWEAK(lme_before_paging, r->ia32_efer = 0x100)
TWEAK(compat_cs, r->cs_ar = 0xC09B; r->rip = 0x1000)
TWEAK(cr4_common, r->cr4 = 0x6F0)		/* PAE PGE OSFXSR OSXMMEXCPT MCE ... */
TWEAK(efer_nx_sce, r->ia32_efer = 0x801)
TWEAK(conforming_cs, r->cs_ar = 0xC09F)
TWEAK(rflags_if_df_id, r->rflags = 0x200602)
TWEAK(small_limit_g0, r->cs_ar = 0x409B; r->cs_limit = 0xFFFFF)
TWEAK(real_odd_selectors, r->cs_sel = 0xF003; r->ss_sel = 0x1237; r->ds_sel = 0x0001)

static const struct regs_case good[] = {
	{ "32-bit protected mode", PM32, none },
	{ "real mode", REAL, none },
	{ "real mode, data-type CS", REAL, real_data_cs },
	{ "64-bit", LONG64, none },
	{ "LME set before paging", PM32, lme_before_paging },
	{ "64-bit, compatibility-mode CS", LONG64, compat_cs },
	{ "common CR4 bits", PM32, cr4_common },
	{ "EFER NXE SCE", PM32, efer_nx_sce },
	{ "conforming code", PM32, conforming_cs },
	{ "RFLAGS IF DF ID", PM32, rflags_if_df_id },
	{ "byte-granular limit", PM32, small_limit_g0 },
	{ "real mode, selectors with low bits set", REAL, real_odd_selectors },
};

TWEAK(cr0_bit6, r->cr0 |= BIT(6))
TWEAK(cr0_bit32, r->cr0 |= BIT(32))
TWEAK(pg_without_pe, r->cr0 = 0x80000010)
TWEAK(nw_without_cd, r->cr0 |= BIT(29))
TWEAK(cr4_vmxe, r->cr4 |= BIT(13))
TWEAK(cr4_smxe, r->cr4 |= BIT(14))
TWEAK(cr4_la57, r->cr4 |= BIT(12))
TWEAK(cr4_bit15, r->cr4 |= BIT(15))
TWEAK(cr4_bit63, r->cr4 |= BIT(63))
TWEAK(efer_bit1, r->ia32_efer |= BIT(1))
TWEAK(efer_bit12, r->ia32_efer |= BIT(12))
TWEAK(lma_without_lme, r->ia32_efer = 0x400)
TWEAK(lme_paging_no_lma, r->ia32_efer = 0x100)
TWEAK(lma_without_paging, r->cr0 = 0x11)
TWEAK(lma_without_pae, r->cr4 = 0)
TWEAK(pcide_not_long, r->cr4 |= BIT(17))
TWEAK(cr3_bit52, r->cr3 |= BIT(52))
TWEAK(rflags_no_bit1, r->rflags = 0)
TWEAK(rflags_bit3, r->rflags |= BIT(3))
TWEAK(rflags_bit5, r->rflags |= BIT(5))
TWEAK(rflags_bit15, r->rflags |= BIT(15))
TWEAK(rflags_vm, r->rflags |= BIT(17))
TWEAK(rflags_bit22, r->rflags |= BIT(22))
TWEAK(rflags_bit63, r->rflags |= BIT(63))
TWEAK(cs_unusable, r->cs_ar |= BIT(16))
TWEAK(cs_not_present, r->cs_ar &= ~0x80U)
TWEAK(cs_system, r->cs_ar &= ~0x10U)
TWEAK(cs_data_pm, r->cs_ar = 0xC093)
TWEAK(cs_ro_data, r->cs_ar = 0xC091)
TWEAK(cs_exec_only_unaccessed, r->cs_ar = 0xC098)
TWEAK(cs_ar_bit8, r->cs_ar |= BIT(8))
TWEAK(cs_ar_bit17, r->cs_ar |= BIT(17))
TWEAK(cs_ar_bit31, r->cs_ar |= BIT(31))
TWEAK(real_dpl3, r->cs_ar |= 0x60)
TWEAK(l_without_lma, r->cs_ar |= BIT(13))
TWEAK(l_and_d, r->cs_ar |= BIT(14))
TWEAK(g_with_byte_limit, r->cs_limit = 0xFFFFF000)
TWEAK(no_g_big_limit, r->cs_ar &= ~(u32)BIT(15))
TWEAK(cs_base_high, r->cs_base = 1ULL << 32)
TWEAK(rip_noncanonical, r->rip = 0x0000800000000000ULL)
TWEAK(rip_high_32bit, r->rip = 1ULL << 32)
TWEAK(gdt_noncanonical, r->gdt.base = 0x0001000000000000ULL)
TWEAK(idt_noncanonical, r->idt.base = 0xFFFF7FFFFFFFFFFFULL)
TWEAK(pm_dpl3, r->cs_ar |= 0x60; r->cs_sel = 0x1B)
TWEAK(pm_cs_rpl3, r->cs_sel = 0x13)
TWEAK(pm_ss_rpl3, r->ss_sel = 0x23)
TWEAK(long_ds_rpl1, r->ds_sel = 0x19)
TWEAK(long_gs_rpl2, r->gs_sel = 0x1A)

static const struct regs_case bad[] = {
	{ "CR0 bit 6", PM32, cr0_bit6 },
	{ "CR0 bit 32", PM32, cr0_bit32 },
	{ "PG without PE", PM32, pg_without_pe },
	{ "NW without CD", PM32, nw_without_cd },
	{ "CR4.VMXE", PM32, cr4_vmxe },
	{ "CR4.SMXE", PM32, cr4_smxe },
	{ "CR4.LA57", LONG64, cr4_la57 },
	{ "CR4 bit 15", PM32, cr4_bit15 },
	{ "CR4 bit 63", PM32, cr4_bit63 },
	{ "EFER bit 1", PM32, efer_bit1 },
	{ "EFER bit 12", LONG64, efer_bit12 },
	{ "LMA without LME", LONG64, lma_without_lme },
	{ "LME with paging, no LMA", LONG64, lme_paging_no_lma },
	{ "LMA without paging", LONG64, lma_without_paging },
	{ "LMA without PAE", LONG64, lma_without_pae },
	{ "PCIDE outside long mode", PM32, pcide_not_long },
	{ "CR3 bit 52", LONG64, cr3_bit52 },
	{ "RFLAGS bit 1 clear", PM32, rflags_no_bit1 },
	{ "RFLAGS bit 3", PM32, rflags_bit3 },
	{ "RFLAGS bit 5", PM32, rflags_bit5 },
	{ "RFLAGS bit 15", PM32, rflags_bit15 },
	{ "RFLAGS.VM", REAL, rflags_vm },
	{ "RFLAGS bit 22", PM32, rflags_bit22 },
	{ "RFLAGS bit 63", LONG64, rflags_bit63 },
	{ "CS unusable", PM32, cs_unusable },
	{ "CS not present", PM32, cs_not_present },
	{ "CS a system segment", PM32, cs_system },
	{ "data CS in protected mode", PM32, cs_data_pm },
	{ "read-only data CS", PM32, cs_ro_data },
	{ "CS type 8 (not accessed)", PM32, cs_exec_only_unaccessed },
	{ "CS AR bit 8", PM32, cs_ar_bit8 },
	{ "CS AR bit 17", PM32, cs_ar_bit17 },
	{ "CS AR bit 31", LONG64, cs_ar_bit31 },
	{ "real-mode CS with DPL 3", REAL, real_dpl3 },
	{ "CS.L outside long mode", PM32, l_without_lma },
	{ "CS.L with CS.D", LONG64, l_and_d },
	{ "G with a byte limit", PM32, g_with_byte_limit },
	{ "4 GiB limit without G", PM32, no_g_big_limit },
	{ "CS base above 4 GiB", PM32, cs_base_high },
	{ "non-canonical RIP", LONG64, rip_noncanonical },
	{ "RIP above 4 GiB in 32-bit code", PM32, rip_high_32bit },
	{ "non-canonical GDT base", LONG64, gdt_noncanonical },
	{ "non-canonical IDT base", PM32, idt_noncanonical },
	{ "protected-mode CS with DPL 3 (CPL 3 start)", PM32, pm_dpl3 },
	{ "CS selector RPL 3", PM32, pm_cs_rpl3 },
	{ "SS selector RPL 3 (data segments are DPL 0)", PM32, pm_ss_rpl3 },
	{ "DS selector RPL 1", LONG64, long_ds_rpl1 },
	{ "GS selector RPL 2", LONG64, long_gs_rpl2 },
};

static void test_good_states(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		struct abi_regs r = base(good[i].mode);

		good[i].tweak(&r);
		if (hcall_check_regs(&r) != 0)
			fail_msg("refused a good state: %s", good[i].what);
	}
}

static void test_bad_states(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct abi_regs r = base(bad[i].mode);

		bad[i].tweak(&r);
		if (hcall_check_regs(&r) != -EINVAL)
			fail_msg("accepted a bad state: %s", bad[i].what);
	}
}

/* The same through the hypercall: refused states reach the VMM never. */
static void test_through_hypercall(void **state)
{
	struct abi_vcpu_regs vr = { 0 };

	(void)state;
	fake_add_vm(0, VMM_VM_CREATED, 1);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		vr.vcpu_regs = base(bad[i].mode);
		bad[i].tweak(&vr.vcpu_regs);
		assert_fails(hc(HC_SET_VCPU_REGS, 0, fake_put(&vr, sizeof(vr))), EINVAL);
	}
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		vr.vcpu_regs = base(good[i].mode);
		good[i].tweak(&vr.vcpu_regs);
		assert_int_equal(hc(HC_SET_VCPU_REGS, 0, fake_put(&vr, sizeof(vr))), 0);
	}
	assert_int_equal(fake_count(OP_SET_REGS), ARRAY_SIZE(good));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_good_states),
		T(test_bad_states),
		T(test_through_hypercall),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
