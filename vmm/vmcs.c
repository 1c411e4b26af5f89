/* VMCS setup: controls, host state, and the guest's initial state. */
#include "lib.h"
#include "mm.h"
#include "percpu.h"
#include "vmm_internal.h"
#include "vcpu_boot.h"
#include "asm_defs.h"
#include "x86.h"
#include "lapic.h"
#include "xstate.h"

extern u8 vmx_exit_entry[];

/* Apply the allowed-0/allowed-1 settings of a capability MSR to wanted bits. */
static u32 adjust_ctls(u64 cap, u32 want)
{
	return (want | (u32)cap) & (u32)(cap >> 32);
}

static void setup_controls(struct vcpu *v)
{
	struct vm *vm = v->vm;
	u32 pin = PIN_EXT_INT_EXIT | PIN_NMI_EXIT;
	u32 proc = PROC_HLT_EXIT | PROC_IO_BITMAPS | PROC_MSR_BITMAPS | PROC_SECONDARY |
		   PROC_CR8_LOAD_EXIT | PROC_CR8_STORE_EXIT;
	u32 proc2 = PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED;
	u32 exit = EXIT_HOST_ADDR64 | EXIT_ACK_INTR | EXIT_SAVE_EFER | EXIT_LOAD_EFER |
		   EXIT_SAVE_PAT | EXIT_LOAD_PAT;
	u32 entry = ENTRY_LOAD_EFER | ENTRY_LOAD_PAT | ENTRY_LOAD_DEBUG;

	/* guest timers: the host's TSC-deadline timer, else the preemption timer */
	if (!lapic_tsc_deadline && (vmx_caps.pin >> 32 & PIN_PREEMPT_TIMER))
		pin |= PIN_PREEMPT_TIMER;
	/* features the guest sees in CPUID must work: RDTSCP, INVPCID, XSAVES */
	proc2 |= (u32)(vmx_caps.proc2 >> 32) & (PROC2_RDTSCP | PROC2_INVPCID | PROC2_XSAVES);
	/* a guest's WBINVD flushes caches other VMs share: vmm/vmexit_wbinvd.c */
	proc2 |= (u32)(vmx_caps.proc2 >> 32) & PROC2_WBINVD_EXIT;

	vmwrite(VMCS_PIN_CTLS, adjust_ctls(vmx_caps.pin, pin));
	proc = adjust_ctls(vmx_caps.proc, proc);
	proc &= ~(PROC_CR3_LOAD_EXIT | PROC_CR3_STORE_EXIT | PROC_UNCOND_IO_EXIT);
	vmwrite(VMCS_PROC_CTLS, proc);
	proc2 = adjust_ctls(vmx_caps.proc2, proc2);
	vmwrite(VMCS_PROC_CTLS2, proc2);
	if (proc2 & PROC2_XSAVES) {
		/* XRSTORS of anything but user components exits (include/xstate.h) */
		u32 a, b, c, d;

		cpuid_count(0xD, 0, &a, &b, &c, &d);
		vmwrite(VMCS_XSS_EXITING_BITMAP, xss_exiting_bitmap(((u64)d << 32) | a));
	}
	vmwrite(VMCS_EXIT_CTLS, adjust_ctls(vmx_caps.exit, exit));
	vmwrite(VMCS_ENTRY_CTLS, adjust_ctls(vmx_caps.entry, entry));
	vmwrite(VMCS_EXCEPTION_BITMAP, 0);
	vmwrite(VMCS_CR3_TARGET_COUNT, 0);
	vmwrite(VMCS_EXIT_MSR_STORE_CNT, 0);
	vmwrite(VMCS_EXIT_MSR_LOAD_CNT, 0);
	vmwrite(VMCS_ENTRY_MSR_LOAD_CNT, 0);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	vmwrite(VMCS_IO_BITMAP_A, virt_to_phys(vm->io_bitmap));
	vmwrite(VMCS_IO_BITMAP_B, virt_to_phys(vm->io_bitmap + PAGE_SIZE));
	vmwrite(VMCS_MSR_BITMAP, virt_to_phys(vm->msr_bitmap));
	vmwrite(VMCS_EPTP, vm->eptp);
	/* VPID 0 belongs to the hypervisor: vCPUs get 1.. */
	vmwrite(VMCS_VPID, 1 + vm->id * CONFIG_MAX_CPUS + v->id);
	vmwrite(VMCS_LINK_POINTER, ~0ULL);
	vmwrite(VMCS_TSC_OFFSET, 0);

	/*
	 * The guest owns CR0/CR4 except the bits VMX forces, VMXE, and the
	 * mode bits (PE, PG, PAE) whose changes we follow for IA-32e mode,
	 * PDPTEs and instruction decoding.
	 */
	vmwrite(VMCS_CR0_MASK, CR0_HOST_OWNED);
	vmwrite(VMCS_CR4_MASK, CR4_HOST_OWNED);
}

static void setup_host_state(void)
{
	struct pcpu *p = this_cpu();
	struct desc_ptr idtr;

	store_idt(&idtr);
	vmwrite(VMCS_HOST_CR0, read_cr0());
	vmwrite(VMCS_HOST_CR3, read_cr3());
	vmwrite(VMCS_HOST_CR4, read_cr4());
	vmwrite(VMCS_HOST_CS_SEL, GDT_SEL_CODE64);
	vmwrite(VMCS_HOST_SS_SEL, GDT_SEL_DATA);
	vmwrite(VMCS_HOST_DS_SEL, GDT_SEL_DATA);
	vmwrite(VMCS_HOST_ES_SEL, GDT_SEL_DATA);
	vmwrite(VMCS_HOST_FS_SEL, 0);
	vmwrite(VMCS_HOST_GS_SEL, 0);
	vmwrite(VMCS_HOST_TR_SEL, GDT_SEL_TSS);
	vmwrite(VMCS_HOST_FS_BASE, 0);
	vmwrite(VMCS_HOST_GS_BASE, (u64)p);
	vmwrite(VMCS_HOST_TR_BASE, (u64)&p->tss);
	vmwrite(VMCS_HOST_GDTR_BASE, (u64)p->gdt);
	vmwrite(VMCS_HOST_IDTR_BASE, idtr.base);
	vmwrite(VMCS_HOST_SYSENTER_CS, 0);
	vmwrite(VMCS_HOST_SYSENTER_ESP, 0);
	vmwrite(VMCS_HOST_SYSENTER_EIP, 0);
	vmwrite(VMCS_HOST_EFER, rdmsr(MSR_IA32_EFER));
	vmwrite(VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT));
	vmwrite(VMCS_HOST_RIP, (u64)vmx_exit_entry);
}

static void set_seg(enum seg_reg s, u16 sel, u64 base, u32 limit, u32 ar)
{
	vmwrite(VMCS_GUEST_ES_SEL + 2 * s, sel);
	vmwrite(VMCS_GUEST_ES_BASE + 2 * s, base);
	vmwrite(VMCS_GUEST_ES_LIMIT + 2 * s, limit);
	vmwrite(VMCS_GUEST_ES_AR + 2 * s, ar);
}

#define AR_UNUSABLE BIT(16)

/* Guest CR0 as loaded: what the guest asked for plus what VMX forces. */
static u64 guest_cr0(u64 want)
{
	u64 fixed0 = vmx_caps.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG);

	return (want | fixed0) & vmx_caps.cr0_fixed1 & ~(X86_CR0_CD | X86_CR0_NW);
}

static u64 guest_cr4(u64 want)
{
	return (want | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1;
}

static void set_common_guest_state(struct vcpu *v, u64 cr0, u64 cr4, u64 efer)
{
	v->cr0_shadow = cr0;
	v->cr4_shadow = cr4;
	v->efer = efer;
	vmwrite(VMCS_CR0_SHADOW, cr0);
	vmwrite(VMCS_CR4_SHADOW, cr4);
	vmwrite(VMCS_GUEST_CR0, guest_cr0(cr0));
	vmwrite(VMCS_GUEST_CR4, guest_cr4(cr4));
	vmwrite(VMCS_GUEST_EFER, efer);
	vmwrite(VMCS_GUEST_PAT, 0x0007040600070406ULL);
	vmwrite(VMCS_GUEST_DR7, 0x400);
	vmwrite(VMCS_GUEST_DEBUGCTL, 0);
	vmwrite(VMCS_GUEST_PENDING_DBG, 0);
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmwrite(VMCS_GUEST_ACTIVITY, 0);
	vmwrite(VMCS_GUEST_SYSENTER_CS, 0);
	vmwrite(VMCS_GUEST_SYSENTER_ESP, 0);
	vmwrite(VMCS_GUEST_SYSENTER_EIP, 0);
	set_seg(SEG_LDTR, 0, 0, 0xffff, AR_UNUSABLE);
	set_seg(SEG_TR, 0, 0, 0xffff, 0x8b);	/* busy TSS, required even in real mode */
	v->xcr0 = 1;
	vmcs_update_ia32e(v);
}

void vmcs_load_boot_state(struct vcpu *v, const struct vcpu_boot_state *st)
{
	bool lm = st->mode == VCPU_BOOT_LONG64;
	u16 cs = st->cs_sel ? st->cs_sel : 0x08, ds = st->ds_sel ? st->ds_sel : 0x10;

	set_seg(SEG_CS, cs, 0, 0xffffffff, lm ? 0xa09b : 0xc09b);
	set_seg(SEG_DS, ds, 0, 0xffffffff, 0xc093);
	set_seg(SEG_ES, ds, 0, 0xffffffff, 0xc093);
	set_seg(SEG_SS, ds, 0, 0xffffffff, 0xc093);
	set_seg(SEG_FS, ds, 0, 0xffffffff, 0xc093);
	set_seg(SEG_GS, ds, 0, 0xffffffff, 0xc093);
	vmwrite(VMCS_GUEST_GDTR_BASE, st->gdt_base);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, st->gdt_base ? st->gdt_limit : 0xffff);
	vmwrite(VMCS_GUEST_IDTR_BASE, 0);
	vmwrite(VMCS_GUEST_IDTR_LIMIT, 0xffff);
	vmwrite(VMCS_GUEST_CR3, st->cr3);
	vmwrite(VMCS_GUEST_RIP, st->rip);
	vmwrite(VMCS_GUEST_RSP, st->rsp);
	vmwrite(VMCS_GUEST_RFLAGS, st->rflags | 0x2);
	set_common_guest_state(v, st->cr0 ? st->cr0 : X86_CR0_PE | X86_CR0_ET, st->cr4,
			       lm ? st->efer | X86_EFER_LME | X86_EFER_LMA : st->efer);
	v->gpr[GPR_RAX] = st->rax;
	v->gpr[GPR_RBX] = st->rbx;
	v->gpr[GPR_RCX] = st->rcx;
	v->gpr[GPR_RDX] = st->rdx;
	v->gpr[GPR_RSI] = st->rsi;
	v->gpr[GPR_RDI] = st->rdi;
	v->gpr[GPR_RBP] = st->rbp;
}

/*
 * A post-launched vCPU's start state from SET_VCPU_REGS (checked there).
 * The ABI carries only CS's attributes: data segments are flat, as ACRN
 * sets them (4 GiB in protected mode, 64 KiB at selector * 16 in real mode).
 */
void vmcs_load_abi_regs(struct vcpu *v, const struct abi_regs *r)
{
	bool pe = r->cr0 & X86_CR0_PE;
	const u16 sel[] = { [SEG_ES] = r->es_sel, [SEG_SS] = r->ss_sel, [SEG_DS] = r->ds_sel,
			    [SEG_FS] = r->fs_sel, [SEG_GS] = r->gs_sel };

	set_seg(SEG_CS, r->cs_sel, r->cs_base, r->cs_limit, r->cs_ar);
	for (enum seg_reg s = SEG_ES; s <= SEG_GS; s++)
		if (s != SEG_CS)
			set_seg(s, sel[s], pe ? 0 : (u64)sel[s] << 4, pe ? 0xffffffff : 0xffff,
				pe ? 0xc093 : 0x93);
	vmwrite(VMCS_GUEST_GDTR_BASE, r->gdt.base);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, r->gdt.limit);
	vmwrite(VMCS_GUEST_IDTR_BASE, r->idt.base);
	vmwrite(VMCS_GUEST_IDTR_LIMIT, r->idt.limit);
	vmwrite(VMCS_GUEST_CR3, r->cr3);
	vmwrite(VMCS_GUEST_RIP, r->rip);
	vmwrite(VMCS_GUEST_RSP, r->gprs.rsp);
	vmwrite(VMCS_GUEST_RFLAGS, r->rflags | 0x2);
	set_common_guest_state(v, r->cr0, r->cr4, r->ia32_efer);
	/* PAE paging without long mode starts from the PDPTEs, as after a MOV to CR3 */
	if ((r->cr0 & X86_CR0_PG) && (r->cr4 & X86_CR4_PAE) && !(v->efer & X86_EFER_LMA) &&
	    vmx_load_pdptes(v))
		pr_warn("VM %s: vCPU %u starts with PAE paging but CR3 0x%lx is not in its RAM\n",
			v->vm->name, v->id, r->cr3);
	/* abi_gp_regs is in x86 register-number order, as our GPR slots */
	_Static_assert(sizeof(r->gprs) == sizeof(v->gpr), "GPR layout");
	memcpy(v->gpr, &r->gprs, sizeof(v->gpr));
}

/* A BSP nobody gave registers: the architectural reset state (F000:FFF0). */
void vmcs_set_reset_state(struct vcpu *v)
{
	vmcs_set_real_mode_start(v, 0);
	set_seg(SEG_CS, 0xf000, 0xffff0000, 0xffff, 0x9b);
	vmwrite(VMCS_GUEST_RIP, 0xfff0);
}

/* An AP after INIT-SIPI: real mode at vector:0000 (SDM 8.4.4). */
void vmcs_set_real_mode_start(struct vcpu *v, u8 vector)
{
	memset(v->gpr, 0, sizeof(v->gpr));
	set_seg(SEG_CS, (u16)vector << 8, (u64)vector << 12, 0xffff, 0x9b);
	set_seg(SEG_DS, 0, 0, 0xffff, 0x93);
	set_seg(SEG_ES, 0, 0, 0xffff, 0x93);
	set_seg(SEG_SS, 0, 0, 0xffff, 0x93);
	set_seg(SEG_FS, 0, 0, 0xffff, 0x93);
	set_seg(SEG_GS, 0, 0, 0xffff, 0x93);
	vmwrite(VMCS_GUEST_GDTR_BASE, 0);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmwrite(VMCS_GUEST_IDTR_BASE, 0);
	vmwrite(VMCS_GUEST_IDTR_LIMIT, 0xffff);
	vmwrite(VMCS_GUEST_CR3, 0);
	vmwrite(VMCS_GUEST_RIP, 0);
	vmwrite(VMCS_GUEST_RSP, 0);
	vmwrite(VMCS_GUEST_RFLAGS, 0x2);
	set_common_guest_state(v, X86_CR0_ET, 0, 0);
	v->gpr[GPR_RDX] = 0x600;	/* processor signature family 6 */
}

/* IA-32e mode follows EFER.LME and CR0.PG (SDM 9.8.5). */
void vmcs_update_ia32e(struct vcpu *v)
{
	u64 entry = vmread(VMCS_ENTRY_CTLS);
	bool lma = (v->efer & X86_EFER_LME) && (v->cr0_shadow & X86_CR0_PG);

	if (lma) {
		v->efer |= X86_EFER_LMA;
		entry |= ENTRY_IA32E_GUEST;
	} else {
		v->efer &= ~X86_EFER_LMA;
		entry &= ~ENTRY_IA32E_GUEST;
	}
	vmwrite(VMCS_ENTRY_CTLS, entry);
	vmwrite(VMCS_GUEST_EFER, v->efer);
}

int vmcs_init(struct vcpu *v)
{
	v->vmcs = page_alloc(1);
	if (!v->vmcs)
		return -ENOMEM;
	*(u32 *)v->vmcs = vmx_caps.revision;
	if (vmclear(virt_to_phys(v->vmcs)) || vmptrld(virt_to_phys(v->vmcs)))
		return -EIO;
	setup_controls(v);
	setup_host_state();
	return 0;
}

/* Writers of guest CR0/CR4 keep the VMX-forced bits; exported for the CR exit. */
u64 vmcs_guest_cr0(u64 want) { return guest_cr0(want); }
u64 vmcs_guest_cr4(u64 want) { return guest_cr4(want); }
