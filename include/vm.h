/* VMs and vCPUs as the hypervisor tracks them at run time. */
#ifndef BH_VM_H
#define BH_VM_H

#include "types.h"
#include "spinlock.h"
#include "vm_config.h"
#include "vm_ram.h"
#include "io_emul.h"
#include "vlapic.h"
#include "vioapic.h"
#include "vpci.h"
#include "vmx.h"
#include "vcpu_boot.h"
#include "x86.h"
#include "public/acrn_abi.h"

struct boot_info;
struct vtd_domain;

/* GPR slots in x86 register-number order (the instruction decoder uses it). */
enum { GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
       GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15, NR_GPRS };

/* SOS_REMOVE_CPU handshake: the hypercall asks, the vCPU claims it as it leaves. */
enum { VCPU_REMOVE_NONE, VCPU_REMOVE_ASKED, VCPU_REMOVE_LEAVING };

enum vcpu_state {
	VCPU_WAIT_SIPI,		/* AP not started by its BSP yet */
	VCPU_RUNNING,
	VCPU_HALTED,
	VCPU_STOPPED,
};

struct vcpu {
	u64 gpr[NR_GPRS];	/* keep first: vcpu_entry.S addresses it at offset 0 */
	u8 launched;		/* vcpu_entry.S: VMLAUNCH vs VMRESUME */
	struct vm *vm;
	unsigned id;		/* index in the VM = virtual LAPIC id */
	struct pcpu *pcpu;
	volatile enum vcpu_state state;
	void *vmcs;
	struct vlapic vlapic;
	u64 exit_count[NR_EXIT_REASONS];
	/* current exit */
	u32 exit_reason;
	u32 idt_vectoring;
	u64 exit_qual;
	/* guest CR0/CR4 as the guest wrote them: exact for the host-owned bits */
	u64 cr0_shadow, cr4_shadow, efer;
	u64 xcr0;
	u64 timer_armed;	/* host TSC deadline programmed for this vCPU */
	bool intr_window;	/* interrupt-window exiting is on */
	u64 sampled_rip;	/* guest RIP at the last kick, for statistics */
	bool pending_exc;
	u8 exc_vector;
	bool exc_has_error;
	u32 exc_error;
	/* post-launched VMs */
	bool has_start_regs;		/* SET_VCPU_REGS was given: start from start_regs */
	struct abi_regs start_regs;
	volatile bool ioreq_finished;	/* NOTIFY_REQUEST_FINISH arrived for its request */
	bool flush_ept;			/* flush this VM's EPT translations before entry */
	u8 removed;			/* SOS_REMOVE_CPU: VCPU_REMOVE_* */
};

/* PAUSED: post-launched VMs only (PAUSE_VM); its vCPUs leave their pCPUs as when STOPPED. */
enum vm_state { VM_CREATED, VM_RUNNING, VM_PAUSED, VM_STOPPED };

struct vuart {
	char line[160];
	unsigned len;
	u8 ier, lcr, mcr, scr, dll, dlm;
	bool thre_pending;	/* transmitter-empty interrupt not yet taken */
	spinlock_t lock;
};

struct vm {
	const struct vm_config *cfg;
	unsigned id;
	const char *name;
	volatile enum vm_state state;
	unsigned nr_vcpus;
	unsigned nr_active_vcpus;	/* not parked yet; the last to park releases devices */
	struct vcpu *vcpus[CONFIG_MAX_CPUS];
	u64 *ept_root;
	u64 eptp;
	spinlock_t ept_lock;		/* EPT writers: the Service VM's hypercalls, vCPUs' BAR moves */
	unsigned ept_pages;		/* table pages the EPT holds, the root included */
	unsigned ept_page_limit;	/* 0: none (boot VMs, sized by their scenario) */
	u8 *io_bitmap;		/* 8 KiB: bitmaps A and B */
	u8 *msr_bitmap;		/* 4 KiB */
	unsigned nr_pio, nr_mmio;
	u8 pio_last;		/* index of the port handler found last */
	struct pio_handler pio[VM_MAX_PIO_HANDLERS];
	struct mmio_handler mmio[VM_MAX_MMIO_HANDLERS];
	struct vlapic_group lapics;
	struct vioapic vioapic;
	struct vuart vuart;
	struct vpci vpci;
	spinlock_t lock;
	struct vcpu_boot_state boot;	/* BSP start state from the loader */
	u64 acpi_rsdp;			/* GPA of its RSDP, 0 = none */
	u16 pm1_en;			/* PM1a enable register (dm/vpm.c) */
	u8 callback_vector;		/* Service VM: upcall vector (SET_CALLBACK_VECTOR) */
	struct vtd_domain *dma_domain;	/* VT-d domain, NULL without VT-d */
	char stop_reason[160];
	struct vm_ram ram;		/* from the scenario, or VM_SET_MEMORY_REGIONS */
	/* post-launched VMs (vmm/vm_post.c) */
	bool post;
	u16 vmid;			/* the Service VM's name for it */
	u8 uuid[16];
	u64 vm_flag;			/* ABI_VM_FLAG_* */
	u64 ioreq_gpa;			/* Service VM GPA of its ioreq page; ~0: none */
	struct abi_io_request_buffer *ioreq;	/* that page */
	spinlock_t ioreq_lock;
};

extern struct vm vms[CONFIG_MAX_VMS];
extern unsigned nr_vms;

/* vm.c */
#define VCPU_PAGES	(ALIGN_UP(sizeof(struct vcpu), PAGE_SIZE) / PAGE_SIZE)
int vm_create_all(const struct boot_info *bi);
struct vcpu *vm_add_vcpu(struct vm *vm, unsigned cpu, enum vcpu_state state);
void vm_stop(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vm_print_exit_counters(const struct vm *vm);
void vm_release_devices(struct vm *vm);
void *vm_gpa_to_hva(const struct vm *vm, u64 gpa, u64 len);
bool vm_gpa_overlaps_ram(const struct vm *vm, u64 gpa, u64 size);	/* its RAM now */
void vm_flush_ept(struct vm *vm);

/* vm_post.c: post-launched VMs (the hypercall side is vmm/vmm.c) */
extern struct vm post_vms[];
bool vm_is_post_pcpu(unsigned cpu);

/* ioreq.c: I/O requests of post-launched VMs, forwarded to the Service VM */
extern struct vm *service_vm;
int ioreq_forward_pio(struct vcpu *v, u16 port, unsigned size, bool write, u32 *val);
int ioreq_forward_mmio(struct vcpu *v, u64 gpa, unsigned size, bool write, u64 *val);
int ioreq_forward_pcicfg(struct vcpu *v, u16 bdf, u16 reg, unsigned size, bool write, u32 *val);
extern const struct pio_handler ioreq_pio_handler;
extern const struct mmio_handler ioreq_mmio_handler;

/* vcpu.c */
void __noreturn vcpu_run_loop(struct vcpu *v);
void __noreturn vcpu_enter(struct vcpu *v);
void __noreturn vcpu_leave_pcpu(struct vcpu *v);
void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error);
static inline void vcpu_inject_gp(struct vcpu *v) { vcpu_inject_exception(v, 13, true, 0); }
static inline void vcpu_inject_ud(struct vcpu *v) { vcpu_inject_exception(v, 6, false, 0); }
/* Skip the exiting instruction; v's VMCS is the current one (exits run on the vCPU's pCPU). */
static inline void vcpu_advance_rip(struct vcpu *v)
{
	u64 intr;

	(void)v;
	vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + vmread(VMCS_EXIT_INSN_LEN));
	/* the instruction completed: STI/MOV SS blocking ends with it */
	intr = vmread(VMCS_GUEST_INTERRUPTIBILITY);
	if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS))
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
			intr & ~(u64)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS));
}
int vcpu_cpu_mode(struct vcpu *v);		/* 16, 32 or 64 */
void vcpu_kick(struct vcpu *v);
int vcpu_irq_init(void);

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


/* exit handlers, one file per concern */
int vmx_exit_cpuid(struct vcpu *v);
int vmx_exit_rdmsr(struct vcpu *v);
int vmx_exit_wrmsr(struct vcpu *v);
int vmx_exit_cr_access(struct vcpu *v);
int vmx_load_pdptes(struct vcpu *v);	/* PAE paging outside long mode: from CR3 */
int vmx_exit_io(struct vcpu *v);
int vmx_exit_ept_violation(struct vcpu *v);
int vmx_exit_vmcall(struct vcpu *v);		/* hypercall/dispatch.c */
typedef int (*exit_handler_t)(struct vcpu *v);
void vmexit_set_vmcall(exit_handler_t fn);
int vmx_exit_xsetbv(struct vcpu *v);

/* ept.c */
#define EPT_R BIT(0)
#define EPT_W BIT(1)
#define EPT_X BIT(2)
#define EPT_RWX (EPT_R | EPT_W | EPT_X)
#define EPT_MT_UC 0
#define EPT_MT_WB 6
/*
 * Software bits in leaves. The SDM has the processor ignore bits 56:52 in
 * every EPT entry format, leaf or not, whatever VM-execution controls are
 * on, and they lie above any physical address (bits 51:M are reserved), so
 * these three never change what the CPU does. Bits 8-10 would not do: they
 * become accessed/dirty and user-execute with EPT A/D and mode-based
 * execute control; bit 11 is free but alone; of bits 57-63, 57-58 (HLAT),
 * 60 (shadow stacks), 61 (SPP) and 63 (#VE) have meanings with features on. A post-launched VM's RAM is exactly its EPT_RAM leaves;
 * EPT_NEW and EPT_DEL exist only while a VM_SET_MEMORY_REGIONS batch runs
 * (vmm/vm_ram.c).
 */
#define EPT_RAM BIT(52)		/* guest RAM (VM_SET_MEMORY_REGIONS), not a BAR or MMIO device */
#define EPT_NEW BIT(53)		/* mapped by the batch in progress: gone again if it fails */
#define EPT_DEL BIT(54)		/* removed by the batch in progress: kept if it fails */
#define EPT_SW_BITS (EPT_RAM | EPT_NEW | EPT_DEL)
int ept_init(struct vm *vm);
/* All or nothing: -ENOMEM leaves every translation as it was. prot: EPT_RWX and EPT_SW_BITS bits. */
int ept_map(struct vm *vm, u64 gpa, u64 hpa, u64 size, u64 prot, unsigned memtype);
int ept_unmap(struct vm *vm, u64 gpa, u64 size);
bool ept_lookup(const struct vm *vm, u64 gpa, u64 *hpa);
/* true and *hpa when every byte of [gpa, +len) has a leaf with all of bits, contiguous in host memory. */
bool ept_translate(const struct vm *vm, u64 gpa, u64 len, u64 bits, u64 *hpa);
/* true when a leaf in [gpa, +size) has any of bits (EPT_RWX: any leaf at all). */
bool ept_range_any(const struct vm *vm, u64 gpa, u64 size, u64 bits);
/*
 * Add the software bits set to every leaf in [gpa, +size) that has all of
 * need; a 2 MiB leaf the range covers partly is split first (budget as for
 * unmaps), -ENOMEM if it cannot be (the leaves marked so far keep the mark).
 */
int ept_mark(struct vm *vm, u64 gpa, u64 size, u64 need, u64 set);
/*
 * Leaves in [gpa, +size) with any of the software bits drop are unmapped,
 * others lose the bits clear. dropped (may be NULL) hears each GPA-contiguous
 * run unmapped, under the EPT lock. Returns the bytes unmapped.
 */
u64 ept_sweep(struct vm *vm, u64 gpa, u64 size, u64 drop, u64 clear,
	      void (*dropped)(void *ctx, u64 gpa, u64 size), void *ctx);
void ept_destroy(struct vm *vm);

/* dm: device models every VM gets */
struct e820_map;
int vuart_init(struct vm *vm);
int vpm_init(struct vm *vm);
int vm_acpi_build(struct vm *vm, struct e820_map *map);
int vmmio_passthrough_init(struct vm *vm);
int vm_vpci_init(struct vm *vm);
bool vpci_vm_msi_deliver(u8 vector);
int ptirq_intx_add(struct vm *vm, u32 gsi, u32 vgsi);
bool ptirq_intx_deliver(u8 vector);
int ptirq_init(void);
int vm_vpci_msi_init(void);
void ptirq_eoi(struct vm *vm, u8 vector);
void ptirq_release(struct vm *vm);
void ptirq_reset(struct vm *vm);
int ptirq_intx_move(u32 gsi, struct vm *from, struct vm *vm, u32 vgsi);
bool ptirq_intx_find(const struct vm *vm, u32 vgsi, bool pic, u32 *gsi);
struct vm *ptirq_intx_owner(u32 gsi);
void vm_vpci_windows(u64 *mmio32_base, u64 *mmio32_size, u64 *ecam_base);
void vmmio_passthrough_release(struct vm *vm);

#endif
