/*
 * VMs as the hypervisor tracks them at run time, and the execution
 * primitives every layer may use on one (arch/x86/vm_exec.c). The VM
 * manager's own interfaces are in vmm/vmm_internal.h; the hypercall
 * layer's in include/vmm.h.
 */
#ifndef BH_VM_H
#define BH_VM_H

#include "types.h"
#include "spinlock.h"
#include "console.h"
#include "vm_config.h"
#include "vm_ram.h"
#include "io_emul.h"
#include "vcpu.h"
#include "vlapic.h"
#include "vioapic.h"
#include "vpci.h"
#include "vrtc.h"
#include "vcpu_boot.h"
#include "public/acrn_abi.h"

struct vtd_domain;

/* PAUSED: post-launched VMs only (PAUSE_VM); its vCPUs leave their pCPUs as when STOPPED. */
enum vm_state { VM_CREATED, VM_RUNNING, VM_PAUSED, VM_STOPPED };

#define VUART_RX_FIFO 64	/* a power of two */

struct vuart {
	char line[160];
	unsigned len;
	u8 ier, lcr, mcr, scr, dll, dlm;
	bool thre_pending;	/* transmitter-empty interrupt not yet taken */
	spinlock_t lock;
	/* input from the hypervisor's UART while this VM has the console (vmm/shell.c) */
	u8 rx[VUART_RX_FIFO];
	u32 rx_head, rx_tail;
	u64 rx_dropped;
	/* output: whole lines "[name] ...", drained to the UART off the guest's path; kept for good */
	struct console_src out;		/* keep last: vuart_init clears what comes before */
};

/* Ports in blocks of 64: an unclaimed port is told by one bit, without a scan. */
#define PIO_BLOCK_SHIFT		6
#define PIO_BLOCK_WORDS		(0x10000 >> PIO_BLOCK_SHIFT >> 6)

struct vm {
	const struct vm_config *cfg;
	unsigned id;
	u32 serial;		/* one per build, not reused (until 2^32 builds): IBPB between VMs */
	const char *name;
	volatile enum vm_state state;
	unsigned nr_vcpus;
	unsigned nr_active_vcpus;	/* not parked yet; the last to park releases devices */
	struct vcpu *vcpus[CONFIG_MAX_CPUS];
	u64 *ept_root;
	u64 eptp;
	spinlock_t ept_lock;		/* EPT writers: the Service VM's hypercalls, vCPUs' BAR moves */
	u64 flush_gen;			/* EPT flushes asked (vm_flush_ept); vCPUs catch up */
	unsigned ept_pages;		/* table pages the EPT holds, the root included */
	unsigned ept_page_limit;	/* 0: none (boot VMs, sized by their scenario) */
	u8 *io_bitmap;		/* 8 KiB: bitmaps A and B */
	u8 *msr_bitmap;		/* 4 KiB; each vCPU's is a copy with its own additions */
	unsigned nr_pio, nr_mmio;
	u8 pio_last;		/* index of the port handler found last */
	u32 msi_refused;	/* MSIs left masked: its host vector share was used up */
	struct pio_handler pio[VM_MAX_PIO_HANDLERS];
	u64 pio_blocks[PIO_BLOCK_WORDS];	/* 64-port blocks some handler touches */
	struct mmio_handler mmio[VM_MAX_MMIO_HANDLERS];
	struct vlapic_group lapics;
	struct vioapic vioapic;
	struct vuart vuart;
	struct vrtc vrtc;		/* pre-launched VMs' CMOS RTC (dm/vrtc.c) */
	struct vpci vpci;
	spinlock_t lock;
	struct vcpu_boot_state boot;	/* BSP start state from the loader */
	u64 acpi_rsdp;			/* GPA of its RSDP, 0 = none */
	u16 pm1_en;			/* PM1a enable register (dm/vpm.c) */
	u8 callback_vector;		/* Service VM: upcall vector (SET_CALLBACK_VECTOR) */
	struct vtd_domain *dma_domain;	/* VT-d domain, NULL without VT-d */
	char stop_reason[160];
	struct vm_ram ram;		/* from the scenario, or VM_SET_MEMORY_REGIONS */
	const struct io_fallback *fallback;	/* accesses no handler of its own claims */
	/* post-launched VMs (vmm/vm_post.c) */
	bool post;
	u16 vmid;			/* the Service VM's name for it */
	u8 uuid[16];
	u64 vm_flag;			/* ABI_VM_FLAG_* */
	u64 ioreq_gpa;			/* Service VM GPA of its ioreq page; ~0: none */
	struct abi_io_request_buffer *ioreq;	/* that page */
	spinlock_t ioreq_lock;
};

/* arch/x86/vm_exec.c */
void vm_stop(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vm_print_exit_counters(const struct vm *vm);
/* Once all its vCPUs have parked: its time in the guest, in VMX root (working) and asleep. */
void vm_print_root_time(const struct vm *vm);
int vm_flush_ept(struct vm *vm);	/* after an unmap: wait until every vCPU dropped stale translations */
/* arch/x86/vm_flush.c */
void vcpu_ack_flush(struct vcpu *v);	/* on v's pCPU: flush if the VM asked */
int vm_flush_wait(struct vm *vm, u64 gen, struct vcpu *self, unsigned *late);
/* kick the vCPUs not done yet, NMIs after 1 ms unanswered; 0 or -ETIMEDOUT (*late) */
int vm_kick_until(struct vm *vm, bool (*done)(const struct vcpu *v, u64 arg), u64 arg,
		  unsigned timeout_ms, unsigned *late);

#endif
