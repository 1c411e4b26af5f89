/*
 * The VM manager's own interfaces, between the files of vmm/ (the
 * hypercall layer sees include/vmm.h; boot sees include/hv_main.h).
 */
#ifndef BH_VMM_INTERNAL_H
#define BH_VMM_INTERNAL_H

#include "types.h"
#include "vm.h"
#include "vmm.h"
#include "ept.h"
#include "ptirq.h"
#include "vpm.h"
#include "msr_bitmap.h"
#include "spec_ctrl.h"

struct boot_info;
struct e820_map;

/* vm.c: boot VMs and guest memory */
extern struct vm vms[CONFIG_MAX_VMS];
extern unsigned nr_vms;
int vm_create_all(const struct boot_info *bi);
void vm_release_devices(struct vm *vm);		/* the last vCPU of a stopped boot VM parks */
/* gpa..gpa+len-1 within one RAM range (len 0 counts as 1): its address here, else NULL */
void *vm_gpa_to_hva(const struct vm *vm, u64 gpa, u64 len);
bool vm_gpa_overlaps_ram(const struct vm *vm, u64 gpa, u64 size);	/* the RAM table now */

/* vm_build.c: one build path (include/vm_unit.h) */
#define VCPU_PAGES	(ALIGN_UP(sizeof(struct vcpu), PAGE_SIZE) / PAGE_SIZE)
int vm_build(struct vm *vm, u64 affinity);
void vm_unbuild(struct vm *vm);
void vm_release_units(struct vm *vm);
int vm_reset_build(struct vm *vm);

/* vm_irq.c, vm_vpci.c, vm_acpi.c: a VM's interrupt controllers, PCI bus and ACPI tables */
int vm_irq_init(struct vm *vm);
int vm_vpci_msi_init(void);			/* boot: take the MSI vectors */
struct vm *vm_vpci_msi_route(unsigned i, u64 *gaddr, u32 *gdata);	/* host vector IRQ_MSI_BASE + i */
void vm_vpci_windows(u64 *mmio32_base, u64 *mmio32_size, u64 *ecam_base);
u8 vm_vpci_end_bus(const struct vm *vm);	/* last bus of its ECAM window and _CRS */
u8 vm_pci_intx_gsi(const struct vm_pci_dev *d);	/* 0xFF: no INTx route */
bool vm_pci_intx_root(const struct vm *vm, const struct vm_pci_dev *d, u8 *slot, u8 *pin);
struct vacpi_prt_entry;
unsigned vm_vpci_prt(const struct vm *vm, struct vacpi_prt_entry *prt, unsigned max);	/* root _PRT */
int vm_acpi_build(struct vm *vm, struct e820_map *map);

/* vm_post.c: post-launched VMs' life cycle (vmm.c is the hypercall side) */
extern struct vm post_vms[];
bool vm_is_post_pcpu(unsigned cpu);
u64 vm_post_pcpu_mask(void);
int vm_post_create(const struct vmm_vm_params *p, u16 *vmid);
int vm_post_start(struct vm *vm);
int vm_post_pause(struct vm *vm);
int vm_post_reset(struct vm *vm);
int vm_post_wait_left(struct vm *vm);
void vm_post_destroy(struct vm *vm);

/* vmm_dev.c, vmm_mmio.c: devices moved by hypercall */
void vmm_dev_release_all(struct vm *vm);
void vmm_mmio_release_all(struct vm *vm);
bool vmm_mmio_moved_overlaps(const struct vm *vm, u64 gpa, u64 size);

/* ioreq.c: the I/O request protocol */
extern struct vm *service_vm;
int ioreq_forward_pio(struct vcpu *v, u16 port, unsigned size, bool write, u32 *val);
int ioreq_forward_mmio(struct vcpu *v, u64 gpa, unsigned size, bool write, u64 *val);
int ioreq_forward_pcicfg(struct vcpu *v, u16 bdf, u16 reg, unsigned size, bool write, u32 *val);
extern const struct io_fallback ioreq_fallback;
void ioreq_reset_slots(struct vm *vm);

/* vcpu.c: the run loop (vcpu_entry.S enters and leaves the guest) */
void __noreturn vcpu_run_loop(struct vcpu *v);
void __noreturn vcpu_enter(struct vcpu *v);	/* called by vcpu_entry.S after an exit's handler */
typedef void vcpu_resume_fn(struct vcpu *v);	/* never returns */
extern vcpu_resume_fn *vcpu_resume;		/* this machine's resume path (vcpu_spec_init) */
/*
 * End of an exit whose handler changed nothing vcpu_enter looks at (only
 * GPRs, RIP and STI/MOV SS blocking): when the last entry found nothing to
 * do either (entry_plain), only what other CPUs set can have changed since,
 * so only that is looked at again (VM state, INIT and IRR, EPT flushes);
 * anything set after this look comes with a kick, as in entry_is_plain.
 */
static inline void vcpu_resume_if_plain(struct vcpu *v)
{
	const struct vm *vm = v->vm;

	vcpu_handler_done(v);
	if (likely(v->entry_plain && vm->state == VM_RUNNING && !v->vlapic.entry_flags &&
		   v->flushed_gen == vm->flush_gen)) {
		vcpu_resume(v);
		__builtin_unreachable();
	}
}
void __noreturn vcpu_leave_pcpu(struct vcpu *v);
int vcpu_irq_init(void);			/* boot: take the timer vector */
void vcpu_poll_init(unsigned max_us);		/* boot, once the TSC is calibrated: halt-poll limits */

/*
 * An adaptive poll window, as KVM's halt polling (halted vCPUs, ioreq
 * waits): after a sleep of slept ticks it doubles (from step) when the
 * wake-up came within max, the most it may poll, and halves when not.
 */
static inline void poll_window_after_sleep(u64 *window, u64 slept, u64 step, u64 max)
{
	if (slept <= max)
		*window = MIN(MAX(2 * *window, step), max);
	else
		*window /= 2;
}
/* vcpu_entry.S: the first entry, and one resume path per kind of entry work (spec_ctrl.h) */
void __noreturn vmx_launch(struct vcpu *v);
void __noreturn vmx_resume_plain(struct vcpu *v);
void __noreturn vmx_resume_verw(struct vcpu *v);
void __noreturn vmx_resume_l1d_flush(struct vcpu *v);
extern u8 spec_entry_kind;			/* enum spec_entry, read by vmx_launch */
extern struct spec_caps spec_host;		/* this machine's, read at boot */
void vcpu_spec_init(void);			/* boot: read them, pick the resume path */
void __noreturn idle_loop_fresh(void);		/* vcpu_entry.S */
void vmx_exit_handler(struct vcpu *v);	/* called by vcpu_entry.S, then vcpu_enter */
void __noreturn vmx_entry_failed(void);		/* called by vcpu_entry.S */

/* vcpu_lapic.c: the CPU's help with a vCPU's vLAPIC (APICv, the TSC-deadline MSR) */
void vcpu_lapic_update(struct vcpu *v);		/* VMCS set-up, APIC_BASE, LVT timer, INIT */
void vcpu_lapic_leave(struct vcpu *v);		/* before its pCPU goes: the deadline back */
u64 vcpu_deadline_hold(struct vcpu *v, u64 until);	/* a wait arms the host timer */
void vcpu_deadline_release(struct vcpu *v);	/* after it: the guest's deadline back */
void vcpu_apicv_sync(struct vcpu *v);		/* before entry: new IRR bits to RVI */
int vmx_exit_virt_eoi(struct vcpu *v);

/* shell.c, shell_cmds.c: the hypervisor shell and the console switch */
void shell_init(void);
void shell_poll(void);
const char *shell_served_by(void);

/* main.c */
void __noreturn idle_loop(void);		/* a pCPU with no vCPU (vcpu_entry.S) */
void hv_all_vms_stopped(void);
void hv_report_first_entry(void);

/* vmcs.c */
#define CR0_HOST_OWNED (X86_CR0_PE | X86_CR0_PG | X86_CR0_NE | X86_CR0_CD | X86_CR0_NW)
#define CR4_HOST_OWNED (X86_CR4_VMXE | X86_CR4_SMXE | X86_CR4_PAE)
int vmcs_init(struct vcpu *v);
void vmcs_load_boot_state(struct vcpu *v, const struct vcpu_boot_state *st);
void vmcs_set_real_mode_start(struct vcpu *v, u8 sipi_vector);
void vmcs_load_abi_regs(struct vcpu *v, const struct abi_regs *r);
void vmcs_set_reset_state(struct vcpu *v);
void vmcs_update_ia32e(struct vcpu *v);
u64 vmcs_guest_cr0(u64 want);
u64 vmcs_guest_cr4(u64 want);

/* vmexit*.c: exit handlers, one file per concern */
int vmx_exit_cpuid(struct vcpu *v);
int vmx_exit_rdmsr(struct vcpu *v);
int vmx_exit_wrmsr(struct vcpu *v);
int vmx_exit_cr_access(struct vcpu *v);
int vmx_load_pdptes(struct vcpu *v);	/* PAE paging outside long mode: from CR3 */
int vmx_exit_io(struct vcpu *v);
int vmx_exit_ept_violation(struct vcpu *v);
int vmx_exit_xsetbv(struct vcpu *v);
int vmx_exit_wbinvd(struct vcpu *v);
bool vm_owns_dma_agents(const struct vm *vm);	/* vmm/vm_dma_agents.c */

#endif
