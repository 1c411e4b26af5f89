/*
 * A VM's RAM as the hypervisor reads it, one mechanism per kind of VM:
 *
 * - Boot VMs (pre-launched, Service VM): a small table of GPA -> HPA ranges
 *   from the scenario (plus an identity-mapped Service VM's firmware pages),
 *   written at boot only. Pure logic.
 * - Post-launched VMs: no table. Their EPT is the record, as in ACRN: the
 *   leaves marked EPT_RAM (include/vm.h) are their RAM, mapped by
 *   VM_SET_MEMORY_REGIONS in any number of regions (Linux sends one per
 *   page). Lookups and overlap checks walk the EPT; struct vm_ram keeps only
 *   the seqcount and how much is mapped (the template's budget). A batch of
 *   regions changes the EPT provisionally and then commits or rolls back
 *   (vm_ram_batch_*).
 */
#ifndef BH_VM_RAM_H
#define BH_VM_RAM_H

#include "types.h"
#include "vm_config.h"

#define VM_MAX_RAM_RANGES 16

struct vm_ram {
	u32 seq;		/* odd while a writer changes the RAM (readers retry) */
	unsigned nr;		/* boot VMs: the table */
	struct vm_mem_range r[VM_MAX_RAM_RANGES];
	u64 mapped;		/* post-launched VMs: bytes of their EPT_RAM leaves */
};

/*
 * Writers (boot, or hypercalls, which run one at a time) bracket changes so
 * that vCPUs reading the RAM meanwhile retry (vm_gpa_to_hva).
 */
static inline void vm_ram_write_begin(struct vm_ram *t)
{
	__atomic_add_fetch(&t->seq, 1, __ATOMIC_SEQ_CST);
}

static inline void vm_ram_write_end(struct vm_ram *t)
{
	__atomic_add_fetch(&t->seq, 1, __ATOMIC_SEQ_CST);
}

/*
 * Readers on other CPUs: seq = vm_ram_read_begin(t); look; retry while
 * vm_ram_read_retry(t, seq).
 */
static inline u32 vm_ram_read_begin(const struct vm_ram *t)
{
	u32 seq;

	while ((seq = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE)) & 1)
		__builtin_ia32_pause();
	return seq;
}

static inline bool vm_ram_read_retry(const struct vm_ram *t, u32 seq)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&t->seq, __ATOMIC_RELAXED) != seq;
}

/* ---- boot VMs: the table ---- */

/* Add a range (the caller keeps ranges apart); -ENOSPC when the table is full. */
int vm_ram_add(struct vm_ram *t, u64 gpa, u64 hpa, u64 size);
/* true and *hpa when all of [gpa, gpa+len) lies in one range (len >= 1). */
bool vm_ram_lookup(const struct vm_ram *t, u64 gpa, u64 len, u64 *hpa);
/* The same over a plain array (a scenario's ranges). */
bool vm_mem_find(const struct vm_mem_range *r, unsigned n, u64 gpa, u64 len, u64 *hpa);
bool vm_ram_overlaps(const struct vm_ram *t, u64 gpa, u64 size);
u64 vm_ram_top(const struct vm_ram *t);	/* highest GPA + 1 */

/* ---- post-launched VMs: the EPT ---- */

struct vm;

/*
 * Lock-free readers (a vCPU decoding an instruction, the ioreq path): true
 * and *hpa when every byte of [gpa, +len) is RAM and contiguous in host
 * memory (len >= 1), as of one moment (the seqcount).
 */
bool vm_ram_post_lookup(const struct vm *vm, u64 gpa, u64 len, u64 *hpa);
/* Does any page of [gpa, +size) hold RAM? */
bool vm_ram_post_overlaps(const struct vm *vm, u64 gpa, u64 size);
/* Does any page of [gpa, +size) hold RAM the batch in progress maps or removes? */
bool vm_ram_post_in_batch(const struct vm *vm, u64 gpa, u64 size);

/*
 * A batch of region operations (VM_SET_MEMORY_REGIONS), all or nothing:
 * maps are made at once and marked EPT_NEW; unmaps only mark the RAM they
 * cover EPT_DEL (it stays the VM's until the end); vm_ram_batch_end then
 * unmaps the EPT_DEL leaves and clears the EPT_NEW marks (commit), or
 * unmaps the EPT_NEW leaves and clears the EPT_DEL marks (roll back). Where
 * to look is remembered as a few GPA spans, each op merged into the last
 * span it touches; when they run out the last one grows to cover the new
 * op: a span wider than the batch only costs a walk over the tables in it,
 * never a wrong result, since the marks say which leaves are the batch's.
 * So the batch's record is the EPT itself plus this fixed-size struct,
 * whatever the number of regions. One batch at a time per VM (hypercalls
 * run one at a time); EPT table pages are not freed before the VM is.
 */
#define VM_RAM_BATCH_SPANS 32

struct vm_ram_batch {
	struct vm *vm;
	unsigned nr;
	struct vm_ram_span { u64 gpa, end; } span[VM_RAM_BATCH_SPANS];
};

void vm_ram_batch_begin(struct vm_ram_batch *b, struct vm *vm);
/*
 * Map [gpa, +size) onto hpa as RAM (prot: EPT_R/W/X; the caller checked the
 * range is free): counted in vm's RAM at once. All or nothing (-ENOMEM: out
 * of EPT table pages).
 */
int vm_ram_batch_map(struct vm_ram_batch *b, u64 gpa, u64 hpa, u64 size, u64 prot,
		     unsigned memtype);
/* The RAM in [gpa, +size), if any, goes when the batch commits. -ENOMEM: no page to split a 2 MiB leaf. */
int vm_ram_batch_unmap(struct vm_ram_batch *b, u64 gpa, u64 size);
/*
 * Commit or roll back; cannot fail. dropped (may be NULL) hears every
 * GPA-contiguous run of RAM unmapped (VT-d), under the EPT lock. Returns
 * whether anything was unmapped (the VM's vCPUs must flush then).
 */
bool vm_ram_batch_end(struct vm_ram_batch *b, bool commit,
		      void (*dropped)(void *ctx, u64 gpa, u64 size), void *ctx);

#endif
