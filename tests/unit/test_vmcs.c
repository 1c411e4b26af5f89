/*
 * A vCPU's VMCS (vmm/vmcs.c) on a fake VMCS: the start state SET_VCPU_REGS gives (the
 * Service VM's: CS as given, data segments flat in protected mode and at
 * selector * 16 in real mode, RFLAGS bit 1, GPRs in order, IA-32e mode
 * from EFER.LME and CR0.PG, the PDPTEs for PAE paging); a loader's boot
 * state; the reset and INIT-SIPI states; CR0/CR4 as loaded, with what VMX
 * forces and never caching off. vmcs_init on a fake CPU: the controls from
 * its capabilities (wanted ones it lacks off, ones it forces that we must
 * not have cleared), the bitmaps, EPTP and VPID, the host state an exit
 * returns to; no page, or VMCLEAR/VMPTRLD failing, refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "mm.h"
#include "percpu.h"
#include "vcpu_boot.h"
#include "vmm_internal.h"
#include "asm_defs.h"
#include "fake_vmcs.h"
#include "fake_cpuid.h"
#include "fake_pages.h"
#include "xstate.h"

struct vmx_caps vmx_caps;
bool lapic_tsc_deadline;
u8 vmx_exit_entry[1];
static struct pcpu cpu;
struct pcpu *this_cpu(void) { return &cpu; }
/* The host as vmcs_init reads it: control registers, MSRs, the IDT; VMCLEAR and VMPTRLD. */
static struct { int clear_err, load_err; u64 cleared, loaded; } hw;
u64 read_cr0(void) { return 0x80050033; }
u64 read_cr3(void) { return 0x123000; }
u64 read_cr4(void) { return 0x3726E0; }
u64 rdmsr(u32 msr) { return msr == MSR_IA32_EFER ? 0xD01 : msr == MSR_IA32_PAT ? 0x0007040600070406ULL : 0; }
void store_idt(struct desc_ptr *d) { d->limit = 0xFFF; d->base = 0xFFFF800000001000ULL; }
int vmclear(u64 pa) { hw.cleared = pa; return hw.clear_err; }
int vmptrld(u64 pa) { hw.loaded = pa; return hw.load_err; }
static unsigned pdpte_loads;
static int pdpte_err;
int vmx_load_pdptes(struct vcpu *v) { (void)v; pdpte_loads++; return pdpte_err; }

static struct vm vm;
static struct vcpu v;

static int setup(void **state)
{
	(void)state;
	page_free(v.vmcs, 1);
	memset(&vm, 0, sizeof(vm));
	memset(&v, 0, sizeof(v));
	v.vm = &vm;
	vm.name = "vm";
	pdpte_loads = 0;
	pdpte_err = 0;
	memset(&hw, 0, sizeof(hw));
	fake_page_budget = -1;
	fake_vmcs_reset();
	fake_vmcs_set(VMCS_ENTRY_CTLS, ENTRY_LOAD_EFER);
	/* a CPU's fixed bits: CR0 PE, NE, PG fixed to 1 (PE, PG waived: unrestricted guest) */
	vmx_caps.cr0_fixed0 = X86_CR0_PE | X86_CR0_NE | X86_CR0_PG;
	vmx_caps.cr0_fixed1 = 0xFFFFFFFF;
	vmx_caps.cr4_fixed0 = X86_CR4_VMXE;
	vmx_caps.cr4_fixed1 = 0x3727FF;
	return 0;
}

#define SEG(f, s) fake_vmcs_get(VMCS_GUEST_ES_##f + 2 * (s))

static void assert_seg(enum seg_reg s, u16 sel, u64 base, u32 limit, u32 ar)
{
	assert_int_equal(SEG(SEL, s), sel);
	assert_int_equal(SEG(BASE, s), base);
	assert_int_equal(SEG(LIMIT, s), limit);
	assert_int_equal(SEG(AR, s), ar);
}

static struct abi_regs protected_regs(void)
{
	struct abi_regs r = { 0 };

	r.cr0 = X86_CR0_PE | X86_CR0_ET;
	r.cs_sel = 0x10, r.cs_base = 0, r.cs_limit = 0xffffffff, r.cs_ar = 0xc09b;
	r.ds_sel = r.es_sel = r.ss_sel = r.fs_sel = r.gs_sel = 0x18;
	r.gdt.base = 0x5000, r.gdt.limit = 0x1f;
	r.idt.base = 0x6000, r.idt.limit = 0x7ff;
	r.rip = 0x100000;
	r.rflags = 0x200;
	r.gprs.rsp = 0x8000;
	r.gprs.rsi = 0x7000;		/* Linux's zero page */
	r.gprs.r15 = 15;
	return r;
}

static void test_abi_protected(void **state)
{
	struct abi_regs r = protected_regs();

	(void)state;
	vmcs_load_abi_regs(&v, &r);
	assert_seg(SEG_CS, 0x10, 0, 0xffffffff, 0xc09b);
	for (enum seg_reg s = SEG_ES; s <= SEG_GS; s++)
		if (s != SEG_CS)
			assert_seg(s, 0x18, 0, 0xffffffff, 0xc093);
	assert_seg(SEG_TR, 0, 0, 0xffff, 0x8b);		/* a busy TSS, always */
	assert_int_equal(SEG(AR, SEG_LDTR), BIT(16));	/* unusable */
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_GDTR_BASE), 0x5000);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_GDTR_LIMIT), 0x1f);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_IDTR_BASE), 0x6000);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_IDTR_LIMIT), 0x7ff);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), 0x100000);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RSP), 0x8000);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RFLAGS), 0x202);	/* bit 1 is fixed */
	/* CR0: what it asked for as the guest sees it, NE forced in the real one */
	assert_int_equal(fake_vmcs_get(VMCS_CR0_SHADOW), X86_CR0_PE | X86_CR0_ET);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_CR0), X86_CR0_PE | X86_CR0_ET | X86_CR0_NE);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_CR4), X86_CR4_VMXE);
	assert_int_equal(fake_vmcs_get(VMCS_CR4_SHADOW), 0);
	assert_int_equal(v.gpr[GPR_RSI], 0x7000);
	assert_int_equal(v.gpr[GPR_RSP], 0x8000);
	assert_int_equal(v.gpr[15], 15);
	assert_int_equal(v.xcr0, 1);			/* x87 only, as at reset */
	assert_false(fake_vmcs_get(VMCS_ENTRY_CTLS) & ENTRY_IA32E_GUEST);
	assert_int_equal(pdpte_loads, 0);
}

static void test_abi_real_mode(void **state)
{
	struct abi_regs r = { 0 };

	(void)state;
	r.cr0 = X86_CR0_ET;
	r.cs_sel = 0xf000, r.cs_base = 0xf0000, r.cs_limit = 0xffff, r.cs_ar = 0x9b;
	r.ds_sel = 0x1234, r.ss_sel = 0x2000;
	vmcs_load_abi_regs(&v, &r);
	assert_seg(SEG_CS, 0xf000, 0xf0000, 0xffff, 0x9b);
	assert_seg(SEG_DS, 0x1234, 0x12340, 0xffff, 0x93);
	assert_seg(SEG_SS, 0x2000, 0x20000, 0xffff, 0x93);
	assert_seg(SEG_ES, 0, 0, 0xffff, 0x93);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RFLAGS), 0x2);
}

static void test_abi_long_mode_and_pae(void **state)
{
	struct abi_regs r = protected_regs();

	(void)state;
	/* EFER.LME with paging on: IA-32e mode, LMA set for it */
	r.cr0 |= X86_CR0_PG;
	r.cr4 = X86_CR4_PAE;
	r.ia32_efer = X86_EFER_LME;
	r.cr3 = 0x9000;
	vmcs_load_abi_regs(&v, &r);
	assert_true(fake_vmcs_get(VMCS_ENTRY_CTLS) & ENTRY_IA32E_GUEST);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_EFER), X86_EFER_LME | X86_EFER_LMA);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_CR3), 0x9000);
	assert_int_equal(pdpte_loads, 0);		/* not used in IA-32e mode */
	/* PAE paging without long mode: the PDPTEs from CR3, as after a MOV to CR3 */
	r.ia32_efer = 0;
	vmcs_load_abi_regs(&v, &r);
	assert_false(fake_vmcs_get(VMCS_ENTRY_CTLS) & ENTRY_IA32E_GUEST);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_EFER), 0);
	assert_int_equal(pdpte_loads, 1);
	/* CR3 outside its RAM: warned, loaded all the same (the guest faults on its own) */
	pdpte_err = -EFAULT;
	vmcs_load_abi_regs(&v, &r);
	assert_int_equal(pdpte_loads, 2);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), 0x100000);
	/* LMA the Service VM set without LME and paging is not kept */
	r.cr0 &= ~(u64)X86_CR0_PG;
	r.ia32_efer = X86_EFER_LMA;
	vmcs_load_abi_regs(&v, &r);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_EFER), 0);
	assert_false(fake_vmcs_get(VMCS_ENTRY_CTLS) & ENTRY_IA32E_GUEST);
}

static void test_boot_state(void **state)
{
	struct vcpu_boot_state st = { .mode = VCPU_BOOT_LONG64, .rip = 0x200000, .rsp = 0x1000,
				      .cr0 = X86_CR0_PE | X86_CR0_PG, .cr3 = 0x3000, .cr4 = X86_CR4_PAE,
				      .rbx = 0x6000, .rsi = 0x7000 };

	(void)state;
	vmcs_load_boot_state(&v, &st);
	/* the hypervisor's GDT (selectors 0x08, 0x10), 64-bit code */
	assert_seg(SEG_CS, 0x08, 0, 0xffffffff, 0xa09b);
	assert_seg(SEG_SS, 0x10, 0, 0xffffffff, 0xc093);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_GDTR_LIMIT), 0xffff);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_EFER), X86_EFER_LME | X86_EFER_LMA);
	assert_true(fake_vmcs_get(VMCS_ENTRY_CTLS) & ENTRY_IA32E_GUEST);
	assert_int_equal(v.gpr[GPR_RBX], 0x6000);
	assert_int_equal(v.gpr[GPR_RSI], 0x7000);
	/* 32-bit protected mode, a GDT of the loader's, CR0 left to the default */
	memset(&st, 0, sizeof(st));
	st.mode = VCPU_BOOT_PROT32;
	st.gdt_base = 0x500, st.gdt_limit = 0x27, st.cs_sel = 0x10, st.ds_sel = 0x18;
	vmcs_load_boot_state(&v, &st);
	assert_seg(SEG_CS, 0x10, 0, 0xffffffff, 0xc09b);
	assert_seg(SEG_GS, 0x18, 0, 0xffffffff, 0xc093);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_GDTR_LIMIT), 0x27);
	assert_int_equal(fake_vmcs_get(VMCS_CR0_SHADOW), X86_CR0_PE | X86_CR0_ET);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_EFER), 0);
	assert_false(fake_vmcs_get(VMCS_ENTRY_CTLS) & ENTRY_IA32E_GUEST);
}

static void test_reset_and_sipi(void **state)
{
	(void)state;
	v.gpr[GPR_RAX] = 0x1234;
	vmcs_set_real_mode_start(&v, 0x9A);		/* SIPI vector 0x9A: 9A00:0000 */
	assert_seg(SEG_CS, 0x9A00, 0x9A000, 0xffff, 0x9b);
	assert_seg(SEG_DS, 0, 0, 0xffff, 0x93);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), 0);
	assert_int_equal(v.gpr[GPR_RAX], 0);
	assert_int_equal(v.gpr[GPR_RDX], 0x600);
	assert_int_equal(fake_vmcs_get(VMCS_CR0_SHADOW), X86_CR0_ET);
	assert_int_equal(v.efer, 0);
	vmcs_set_reset_state(&v);			/* F000:FFF0, base 0xFFFF0000 */
	assert_seg(SEG_CS, 0xf000, 0xffff0000, 0xffff, 0x9b);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), 0xfff0);
}

static void test_cr_views(void **state)
{
	(void)state;
	/* PE and PG are the guest's (unrestricted guest); NE is forced; caching never off */
	assert_int_equal(vmcs_guest_cr0(0), X86_CR0_NE);
	assert_int_equal(vmcs_guest_cr0(X86_CR0_CD | X86_CR0_NW | X86_CR0_PG), X86_CR0_NE | X86_CR0_PG);
	/* bits the CPU cannot have are dropped */
	vmx_caps.cr0_fixed1 = ~(u64)X86_CR0_AM;
	assert_int_equal(vmcs_guest_cr0(X86_CR0_AM | X86_CR0_PE), X86_CR0_NE | X86_CR0_PE);
	assert_int_equal(vmcs_guest_cr4(X86_CR4_PAE), X86_CR4_PAE | X86_CR4_VMXE);
	assert_int_equal(vmcs_guest_cr4(BIT(23)), X86_CR4_VMXE);	/* not in fixed1 */
}

/* A CPU that allows every control (allowed-1 all ones) and forces some primary ones (allowed-0). */
static void caps_all(u32 forced_proc)
{
	u64 all = 0xFFFFFFFFULL << 32;

	vmx_caps.pin = vmx_caps.proc2 = vmx_caps.exit = vmx_caps.entry = all;
	vmx_caps.proc = all | forced_proc;
	vmx_caps.revision = 0x12;
}

static void test_vmcs_init_controls(void **state)
{
	static u8 io[2 * PAGE_SIZE], msr[PAGE_SIZE];
	u64 proc, proc2, pin;

	(void)state;
	caps_all(PROC_CR3_LOAD_EXIT);		/* a CPU that would force CR3-load exits */
	fake_cpuid_reset();
	fake_cpuid_set(0xD, 0, 0x7, 0, 0, 0);
	vm.io_bitmap = io;
	vm.msr_bitmap = msr;
	vm.eptp = 0x5000 | 0x5E;
	vm.id = 2;
	v.id = 1;
	lapic_tsc_deadline = false;
	assert_int_equal(vmcs_init(&v), 0);
	/* a fresh region with the CPU's revision, cleared and made current */
	assert_int_equal(*(u32 *)v.vmcs, 0x12);
	assert_int_equal(hw.cleared, (u64)(uintptr_t)v.vmcs);
	assert_int_equal(hw.loaded, (u64)(uintptr_t)v.vmcs);
	pin = fake_vmcs_get(VMCS_PIN_CTLS);
	assert_int_equal(pin & (PIN_EXT_INT_EXIT | PIN_NMI_EXIT), PIN_EXT_INT_EXIT | PIN_NMI_EXIT);
	assert_true(pin & PIN_PREEMPT_TIMER);			/* no deadline timer: this one */
	proc = fake_vmcs_get(VMCS_PROC_CTLS);
	assert_int_equal(proc & (PROC_HLT_EXIT | PROC_IO_BITMAPS | PROC_MSR_BITMAPS | PROC_SECONDARY),
			 PROC_HLT_EXIT | PROC_IO_BITMAPS | PROC_MSR_BITMAPS | PROC_SECONDARY);
	assert_true(proc & PROC_CR8_LOAD_EXIT);
	assert_false(proc & (PROC_CR3_LOAD_EXIT | PROC_CR3_STORE_EXIT | PROC_UNCOND_IO_EXIT));
	proc2 = fake_vmcs_get(VMCS_PROC_CTLS2);
	assert_int_equal(proc2, PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED | PROC2_RDTSCP | PROC2_INVPCID |
				PROC2_XSAVES | PROC2_WBINVD_EXIT);
	assert_int_equal(fake_vmcs_get(VMCS_XSS_EXITING_BITMAP), xss_exiting_bitmap(0x7));
	assert_true(fake_vmcs_get(VMCS_EXIT_CTLS) & EXIT_HOST_ADDR64);
	assert_true(fake_vmcs_get(VMCS_ENTRY_CTLS) & ENTRY_LOAD_EFER);
	assert_int_equal(fake_vmcs_get(VMCS_EXCEPTION_BITMAP), 0);
	assert_int_equal(fake_vmcs_get(VMCS_IO_BITMAP_A), (u64)(uintptr_t)io);
	assert_int_equal(fake_vmcs_get(VMCS_IO_BITMAP_B), (u64)(uintptr_t)io + PAGE_SIZE);
	assert_int_equal(fake_vmcs_get(VMCS_MSR_BITMAP), (u64)(uintptr_t)msr);
	assert_int_equal(fake_vmcs_get(VMCS_EPTP), 0x505E);
	/* VPID 0 is the hypervisor's */
	assert_int_equal(fake_vmcs_get(VMCS_VPID), 1 + 2 * CONFIG_MAX_CPUS + 1);
	assert_int_equal(fake_vmcs_get(VMCS_LINK_POINTER), ~0ULL);
	assert_int_equal(fake_vmcs_get(VMCS_CR0_MASK), CR0_HOST_OWNED);
	assert_int_equal(fake_vmcs_get(VMCS_CR4_MASK), CR4_HOST_OWNED);
	/* the host state an exit returns to: this CPU's */
	assert_int_equal(fake_vmcs_get(VMCS_HOST_CR0), 0x80050033);
	assert_int_equal(fake_vmcs_get(VMCS_HOST_CR3), 0x123000);
	assert_int_equal(fake_vmcs_get(VMCS_HOST_CR4), 0x3726E0);
	assert_int_equal(fake_vmcs_get(VMCS_HOST_EFER), 0xD01);
	assert_int_equal(fake_vmcs_get(VMCS_HOST_CS_SEL), GDT_SEL_CODE64);
	assert_int_equal(fake_vmcs_get(VMCS_HOST_TR_SEL), GDT_SEL_TSS);
	assert_int_equal(fake_vmcs_get(VMCS_HOST_GS_BASE), (u64)(uintptr_t)&cpu);
	assert_int_equal(fake_vmcs_get(VMCS_HOST_TR_BASE), (u64)(uintptr_t)&cpu.tss);
	assert_int_equal(fake_vmcs_get(VMCS_HOST_GDTR_BASE), (u64)(uintptr_t)cpu.gdt);
	assert_int_equal(fake_vmcs_get(VMCS_HOST_IDTR_BASE), 0xFFFF800000001000ULL);
	assert_int_equal(fake_vmcs_get(VMCS_HOST_RIP), (u64)(uintptr_t)vmx_exit_entry);
}

/* Controls the CPU lacks stay off; the deadline timer makes the preemption timer unneeded. */
static void test_vmcs_init_lean_cpu(void **state)
{
	static u8 io[2 * PAGE_SIZE], msr[PAGE_SIZE];

	(void)state;
	caps_all(0);
	vmx_caps.proc2 = (u64)(PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED) << 32;
	vmx_caps.pin = (u64)(PIN_EXT_INT_EXIT | PIN_NMI_EXIT | PIN_PREEMPT_TIMER) << 32;
	vm.io_bitmap = io;
	vm.msr_bitmap = msr;
	lapic_tsc_deadline = true;
	assert_int_equal(vmcs_init(&v), 0);
	assert_int_equal(fake_vmcs_get(VMCS_PROC_CTLS2), PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED);
	assert_false(fake_vmcs_written(VMCS_XSS_EXITING_BITMAP));
	assert_false(fake_vmcs_get(VMCS_PIN_CTLS) & PIN_PREEMPT_TIMER);
}

static void test_vmcs_init_fails(void **state)
{
	(void)state;
	fake_page_budget = 0;
	assert_int_equal(vmcs_init(&v), -ENOMEM);
	assert_null(v.vmcs);
	fake_page_budget = -1;
	hw.clear_err = -1;
	assert_int_equal(vmcs_init(&v), -EIO);
	assert_false(fake_vmcs_written(VMCS_PROC_CTLS));
	page_free(v.vmcs, 1);
	hw.clear_err = 0;
	hw.load_err = -1;
	assert_int_equal(vmcs_init(&v), -EIO);
	assert_false(fake_vmcs_written(VMCS_PROC_CTLS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_abi_protected, setup),
		cmocka_unit_test_setup(test_abi_real_mode, setup),
		cmocka_unit_test_setup(test_abi_long_mode_and_pae, setup),
		cmocka_unit_test_setup(test_boot_state, setup),
		cmocka_unit_test_setup(test_reset_and_sipi, setup),
		cmocka_unit_test_setup(test_cr_views, setup),
		cmocka_unit_test_setup(test_vmcs_init_controls, setup),
		cmocka_unit_test_setup(test_vmcs_init_lean_cpu, setup),
		cmocka_unit_test_setup(test_vmcs_init_fails, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
