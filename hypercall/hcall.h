/*
 * Inside hypercall/: the dispatcher, the handlers (one file per group) and
 * their shared argument helpers. Handlers take the calling Service VM and the
 * raw RDI/RSI and return 0 or a negative errno; they validate everything and
 * change nothing (no VMM operation, no write to guest memory) when they fail.
 */
#ifndef BH_HYPERCALL_HCALL_H
#define BH_HYPERCALL_HCALL_H

#include "types.h"
#include "errno.h"
#include "spinlock.h"
#include "vmm.h"

typedef int (*hcall_fn)(struct vm *caller, u64 p1, u64 p2);

/* table.c */
extern spinlock_t hcall_lock;		/* held around every handler */
enum hcall_entry {
	HCALL_ENTRY_OK,
	HCALL_ENTRY_UD,		/* VM without the right to make hypercalls */
	HCALL_ENTRY_GP,		/* CPL > 0 */
};
enum hcall_entry hcall_entry_check(bool privileged, unsigned cpl);
s64 hcall_dispatch(struct vm *caller, u64 id, u64 p1, u64 p2);
const char *hcall_name(u64 id);		/* NULL for an unknown id */

/* common.c */
int hcall_target_vm(u64 vmid, struct vm **vm);	/* -EINVAL: bad id, or no VM there */
int hcall_copy_in(struct vm *caller, u64 gpa, void *dst, size_t len);	/* -EFAULT */
/* hcall_target_vm(p1) then hcall_copy_in(p2): the first error of the two */
int hcall_target_and_args(struct vm *caller, u64 p1, u64 p2, struct vm **vm, void *args,
			  size_t len);
bool hcall_all_zero(const void *p, size_t len);
/* [a, a+size) is non-empty, does not wrap and ends at or below limit */
bool hcall_range_ok(u64 a, u64 size, u64 limit);

/* general.c */
int hcall_get_api_version(struct vm *caller, u64 p1, u64 p2);
int hcall_sos_remove_cpu(struct vm *caller, u64 p1, u64 p2);
int hcall_set_callback_vector(struct vm *caller, u64 p1, u64 p2);

/* vm.c */
int hcall_create_vm(struct vm *caller, u64 p1, u64 p2);
int hcall_destroy_vm(struct vm *caller, u64 p1, u64 p2);
int hcall_start_vm(struct vm *caller, u64 p1, u64 p2);
int hcall_pause_vm(struct vm *caller, u64 p1, u64 p2);
int hcall_reset_vm(struct vm *caller, u64 p1, u64 p2);
int hcall_set_vcpu_regs(struct vm *caller, u64 p1, u64 p2);

/* regs.c: architectural sanity of a start state (-EINVAL when VM entry would fail) */
int hcall_check_regs(const struct abi_regs *r);

/* irq.c */
int hcall_inject_msi(struct vm *caller, u64 p1, u64 p2);
int hcall_set_irqline(struct vm *caller, u64 p1, u64 p2);

/* ioreq.c */
int hcall_set_ioreq_buffer(struct vm *caller, u64 p1, u64 p2);
int hcall_notify_request_finish(struct vm *caller, u64 p1, u64 p2);

/* mem.c: batches of any length, read this many operations at a time */
#define HCALL_MEM_CHUNK		64
int hcall_set_memory_regions(struct vm *caller, u64 p1, u64 p2);

/* pci.c */
int hcall_assign_pcidev(struct vm *caller, u64 p1, u64 p2);
int hcall_deassign_pcidev(struct vm *caller, u64 p1, u64 p2);
int hcall_set_ptdev_intr(struct vm *caller, u64 p1, u64 p2);
int hcall_reset_ptdev_intr(struct vm *caller, u64 p1, u64 p2);

/* mmio.c */
int hcall_assign_mmiodev(struct vm *caller, u64 p1, u64 p2);
int hcall_deassign_mmiodev(struct vm *caller, u64 p1, u64 p2);

#endif
