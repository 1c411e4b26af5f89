/*
 * VM management as the hypercall layer sees it (hypercall/ is the only caller;
 * vmm/vmm.c implements it, tests/unit/hcall_fake.c fakes it).
 *
 * Contract: the hypercall handlers validate every argument against the ABI
 * and against the queries below before they call an operation, and they run
 * one at a time (hypercall/table.c holds one lock around every handler). So an
 * operation is only ever called with arguments the queries just approved; it
 * still returns 0 or a negative errno, for resource exhaustion (-ENOMEM,
 * -ENOSPC) or for state that changed on its own since (a guest powering off).
 * Operations other than the copies change nothing when they fail.
 * Another Service VM vCPU may be spinning on that lock with interrupts off:
 * an operation must not wait for a pCPU that runs a Service VM vCPU.
 *
 * Addresses: "service GPA" is a guest-physical address in the Service VM
 * (identity-mapped, so also a host-physical one); "user GPA" is one in the
 * post-launched VM.
 */
#ifndef BH_VMM_H
#define BH_VMM_H

#include "types.h"
#include "public/acrn_abi.h"

struct vm;

/* Post-launched VMs are addressed by vmid 0 .. VMM_MAX_POST_VMS-1 (Service VM's view). */
#define VMM_MAX_POST_VMS	8

enum vmm_vm_state {
	VMM_VM_CREATED,		/* created or reset, vCPUs not running */
	VMM_VM_RUNNING,		/* started */
	VMM_VM_PAUSED,		/* paused by the Service VM */
	VMM_VM_STOPPED,		/* powered itself off, or stopped by the hypervisor */
};

/* ---- Guest memory of the calling (Service) VM ---- */

/*
 * Copy len bytes at gpa in vm's RAM. -EFAULT, copying nothing, unless every
 * byte of [gpa, gpa+len) is RAM of that VM; a range that leaves RAM, or
 * crosses a hole between two RAM ranges, fails. Both copies succeed or fail
 * for exactly the same ranges.
 */
int vmm_copy_from_guest(struct vm *vm, u64 gpa, void *dst, size_t len);
int vmm_copy_to_guest(struct vm *vm, u64 gpa, const void *src, size_t len);

/* ---- Queries ---- */

bool vmm_is_service_vm(const struct vm *vm);

/* vmid < VMM_MAX_POST_VMS (the caller checks): the post-launched VM there, or NULL. */
struct vm *vmm_get_vm(u16 vmid);

enum vmm_vm_state vmm_vm_state(const struct vm *vm);
unsigned vmm_vm_nr_vcpus(const struct vm *vm);

/* The Service VM GPA of vm's ioreq page, or VMM_NO_IOREQ_BUFFER. */
#define VMM_NO_IOREQ_BUFFER	(~0ULL)
u64 vmm_ioreq_buffer(const struct vm *vm);

/* Number of vIOAPIC pins (GSIs 0 .. n-1) of vm. */
u32 vmm_vm_gsi_count(const struct vm *vm);

/* User GPAs of vm must lie below this (the EPT's reach). */
u64 vmm_vm_gpa_limit(const struct vm *vm);

/*
 * true when any byte of [gpa, gpa+size) of vm is already taken: RAM mapped by
 * VM_SET_MEMORY_REGIONS, a BAR of an assigned PCI device, a region of an
 * assigned MMIO device, or an emulated device's window (LAPIC, IOAPIC, ...).
 */
bool vmm_gpa_range_in_use(const struct vm *vm, u64 gpa, u64 size);

/* Inside a memory batch: true when RAM in [gpa, gpa+size) was mapped or unmapped by it. */
bool vmm_gpa_range_in_batch(const struct vm *vm, u64 gpa, u64 size);

/* true when [gpa, gpa+size) lies inside one of vm's PCI MMIO windows (BARs go there). */
bool vmm_mmio_window_contains(const struct vm *vm, u64 gpa, u64 size);

/*
 * true when [gpa, gpa+size) of the Service VM is its RAM, all of it: never the
 * hypervisor's memory, a pre-launched VM's, device memory or a hole.
 */
bool vmm_is_service_ram(const struct vm *service, u64 gpa, u64 size);

/* Physical CPUs (bit i = MADT index i) a new post-launched VM may be given. */
u64 vmm_post_pcpu_mask(void);

/* true when a live VM was created with this UUID. */
bool vmm_uuid_in_use(const u8 uuid[16]);

/* The vCPU index of vm whose (virtual) LAPIC id is lapic_id, or -ENOENT. */
int vmm_vcpu_from_lapic_id(const struct vm *vm, u32 lapic_id);

/* Who holds a physical device or an MMIO resource. */
enum vmm_owner {
	VMM_OWNER_HV,		/* kept by the hypervisor (its console, IOMMUs, ...) */
	VMM_OWNER_PRE,		/* a pre-launched VM */
	VMM_OWNER_SERVICE,	/* the Service VM: the only state it can be assigned from */
	VMM_OWNER_POST,		/* a post-launched VM: owner_vm */
};

enum vmm_bar_type {
	VMM_BAR_NONE,		/* not implemented */
	VMM_BAR_IO,
	VMM_BAR_MEM32,
	VMM_BAR_MEM64,		/* low half; the next BAR is VMM_BAR_MEM64_HI */
	VMM_BAR_MEM64_HI,
};

struct vmm_bar_info {
	u8 type;		/* enum vmm_bar_type */
	bool prefetchable;
	u64 base;		/* physical: port or address */
	u64 size;		/* power of two; 0 for NONE and MEM64_HI */
};

#define VMM_GSI_UNKNOWN		(~0U)

struct vmm_pcidev_info {
	enum vmm_owner owner;
	struct vm *owner_vm;	/* VMM_OWNER_POST only */
	u16 vbdf;		/* VMM_OWNER_POST only: where owner_vm sees it */
	u8 intx_pin;		/* 0: no INTx, 1..4: INTA..INTD */
	u32 phys_gsi;		/* its INTx routing, or VMM_GSI_UNKNOWN */
	struct vmm_bar_info bars[ABI_PCI_NUM_BARS];
};

/* 0 and *info for a PCI function the hypervisor knows (board), else -ENODEV. */
int vmm_pcidev_lookup(u16 pbdf, struct vmm_pcidev_info *info);

/* true when a device of vm already sits at virtual bus:dev.fn vbdf. */
bool vmm_vbdf_in_use(const struct vm *vm, u16 vbdf);

/* May vm be given function pbdf? Its template's <pci-device> list; none listed: any (as ACRN). */
bool vmm_template_allows_pcidev(const struct vm *vm, u16 pbdf);

struct vmm_mmiodev_info {
	enum vmm_owner owner;
	struct vm *owner_vm;	/* VMM_OWNER_POST only */
	u64 user_gpa;		/* VMM_OWNER_POST only: where owner_vm sees it */
};

/*
 * 0 and *info when [hpa, hpa+size) is exactly one MMIO resource of a board
 * device (rounded out to whole pages), else -ENODEV.
 */
int vmm_mmiodev_lookup(u64 hpa, u64 size, struct vmm_mmiodev_info *info);

/* true, and *phys_pin, when vm has an INTx remapping at virtual pin (IOAPIC or PIC). */
bool vmm_intx_lookup(const struct vm *vm, u32 virt_pin, bool pic, u32 *phys_pin);

/* The post-launched VM that has phys_pin remapped, or NULL. */
struct vm *vmm_intx_phys_user(u32 phys_pin);

/* ---- Operations (arguments validated by the caller) ---- */

struct vmm_vm_params {
	u8 uuid[16];		/* not in use by any VM */
	u64 vm_flag;		/* only VMM_VM_FLAGS_SUPPORTED bits */
	u64 cpu_affinity;	/* 0: the template's; else a subset of vmm_post_pcpu_mask() */
};

#define VMM_VM_FLAGS_SUPPORTED	(ABI_VM_FLAG_IO_COMPLETION_POLLING | ABI_VM_FLAG_HIDE_MTRR)

/* A new VM in VMM_VM_CREATED with no memory, devices or ioreq buffer; *vmid its id. */
int vmm_create_vm(const struct vmm_vm_params *p, u16 *vmid);
/* Releases everything: mappings, devices (back to the Service VM), interrupts. */
int vmm_destroy_vm(struct vm *vm);		/* from CREATED, PAUSED or STOPPED */
int vmm_start_vm(struct vm *vm);		/* CREATED with an ioreq buffer -> RUNNING */
int vmm_pause_vm(struct vm *vm);		/* RUNNING or STOPPED -> PAUSED */
int vmm_reset_vm(struct vm *vm);		/* PAUSED or STOPPED -> CREATED */
/* vCPU vcpu_id's start state; VM CREATED; regs architecturally sane. */
int vmm_set_vcpu_regs(struct vm *vm, u16 vcpu_id, const struct abi_regs *regs);

/* The Service VM's upcall vector (0x20..0xFF) for forwarded requests. */
int vmm_set_callback_vector(struct vm *service, u8 vector);
/* Remove the Service VM's vCPU vcpu_id (never 0) so its pCPU becomes free. */
int vmm_remove_service_vcpu(struct vm *service, unsigned vcpu_id);

/* gpa: a page of Service VM RAM; VM CREATED (a second call replaces). Marks every slot FREE. */
int vmm_set_ioreq_buffer(struct vm *vm, u64 gpa);
/*
 * vcpu_id < nr_vcpus, VM not CREATED, and its slot read COMPLETE a moment
 * ago: the Service VM can still change it, so re-read it under the ioreq lock
 * and ignore a vCPU that is not waiting.
 */
int vmm_notify_request_finish(struct vm *vm, u16 vcpu_id);

/*
 * VM_SET_MEMORY_REGIONS: a batch of any number of region operations, all or
 * nothing, between vmm_mem_batch_begin and vmm_mem_batch_end (one batch at
 * a time; the VM's layout is held meanwhile: its vCPUs place BARs and must
 * see RAM and BARs as one). Any VM state.
 *
 * vmm_map_region maps [user_gpa, +size) of vm onto Service VM RAM at
 * service_gpa at once: both page-aligned, size > 0, user range free and
 * below the GPA limit, service range Service VM RAM; attr = one
 * ABI_MEM_TYPE_* bit | ABI_MEM_ACCESS_* with READ. -ENOMEM when the VM would
 * have more RAM than its template's, or no EPT page is left.
 *
 * vmm_unmap_region takes away the RAM vmm_map_region mapped in the range
 * (none is fine; BARs, MMIO devices and emulated windows stay), page-aligned
 * and below the GPA limit, when the batch commits: until then it stays
 * mapped. -ENOMEM when a 2 MiB page could not be split to keep the rest.
 *
 * vmm_gpa_range_in_batch() is true for RAM the batch maps or unmaps, so a
 * later op of the same batch can be refused for it. vmm_mem_batch_end(vm,
 * true) commits; (vm, false) undoes every map and unmap of the batch, so
 * that the VM has exactly the RAM it had before. It returns once every vCPU
of vm has dropped the translations of what was unmapped, or -ETIMEDOUT
with the VM stopped when one did not answer (the unmapped pages may still
be written through it until the VM is destroyed). A failed
 * map changes nothing; a failed unmap may have marked part of its range,
 * which only the end (false, as after any failure) clears.
 */
void vmm_mem_batch_begin(struct vm *vm);
int vmm_map_region(struct vm *vm, u64 user_gpa, u64 service_gpa, u64 size, u32 attr);
int vmm_unmap_region(struct vm *vm, u64 user_gpa, u64 size);
int vmm_mem_batch_end(struct vm *vm, bool commit);

/*
 * Any VM state (device models raise lines before start). addr 0xFEExxxxx
 * with bits 63:32 and 11:4 clear; data bits 15:0 only, delivery mode fixed or
 * lowest priority (vector >= 16) or NMI.
 */
int vmm_inject_msi(struct vm *vm, u64 addr, u32 data);
/* Any VM state; gsi < vmm_vm_gsi_count(vm); op ABI_GSI_*. */
int vmm_set_irqline(struct vm *vm, u32 gsi, u32 op);

/* A validated ASSIGN_PCIDEV: BARs decoded to the GPAs (ports) the VM sees them at. */
struct vmm_pcidev {
	u16 pbdf;		/* owned by the Service VM */
	u16 vbdf;		/* free in vm, not 00:00.0 */
	u8 intr_line;		/* virtual GSI, < gsi count; meaningful when intr_pin != 0 */
	u8 intr_pin;		/* 0..4 */
	u64 bar_gpa[ABI_PCI_NUM_BARS];	/* per physical BAR; 0 for NONE and MEM64_HI */
};

/* VM CREATED. Takes the device from the Service VM: config space, BARs, DMA domain. */
int vmm_assign_pcidev(struct vm *vm, const struct vmm_pcidev *dev);
/*
 * VM CREATED or PAUSED; pbdf assigned to vm at vbdf. Gives it back to the
 * Service VM, with its INTx remapping (if any) removed.
 */
int vmm_deassign_pcidev(struct vm *vm, u16 pbdf, u16 vbdf);

/*
 * MMIO devices: each used resource (size != 0) page-aligned, its service
 * range exactly one board resource of the right owner, its user range free,
 * below the GPA limit and apart from the others; mapped uncached.
 */
int vmm_assign_mmiodev(struct vm *vm, const struct abi_mmiodev *dev);	/* VM CREATED */
int vmm_deassign_mmiodev(struct vm *vm, const struct abi_mmiodev *dev);	/* CREATED or PAUSED */

/*
 * Any VM state. INTx (type INTX, is_pic_pin 0/1) of a device assigned to vm at
 * irq->virt_bdf: virt_pin free in vm and below its GSI count (below 16 for
 * PIC pins), phys_pin the device's own GSI and remapped by no VM yet.
 */
int vmm_set_ptdev_intx(struct vm *vm, const struct abi_ptdev_irq *irq);
/* Removes the remapping vm has at irq->intx.virt_pin (it exists). */
int vmm_reset_ptdev_intx(struct vm *vm, const struct abi_ptdev_irq *irq);

#endif
