/*
 * A VM's RAM as the hypervisor reads it: GPA -> HPA ranges, from the scenario
 * (boot VMs) or VM_SET_MEMORY_REGIONS (post-launched VMs). Pure logic.
 */
#ifndef BH_VM_RAM_H
#define BH_VM_RAM_H

#include "types.h"
#include "vm_config.h"

#define VM_MAX_RAM_RANGES 16

struct vm_ram {
	u32 seq;		/* odd while a writer changes the table (readers retry) */
	unsigned nr;
	struct vm_mem_range r[VM_MAX_RAM_RANGES];
};

/*
 * Writers (boot, or hypercalls, which run one at a time) bracket changes so
 * that vCPUs reading the table meanwhile retry (vm_gpa_to_hva).
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

/* Add a range (the caller keeps ranges apart); -ENOSPC when the table is full. */
int vm_ram_add(struct vm_ram *t, u64 gpa, u64 hpa, u64 size);
/*
 * Cut [gpa, gpa+size) out; a range around it splits in two. -ENOSPC when a
 * split found the table full: the part above the cut is dropped from the
 * table then, and reported in *lost (the rest is done); the caller must
 * unmap it too, or the VM keeps memory the table no longer knows.
 */
int vm_ram_remove(struct vm_ram *t, u64 gpa, u64 size, struct vm_mem_range *lost);
/* true and *hpa when all of [gpa, gpa+len) lies in one range (len >= 1). */
bool vm_ram_lookup(const struct vm_ram *t, u64 gpa, u64 len, u64 *hpa);
/* The same over a plain array (a scenario's ranges). */
bool vm_mem_find(const struct vm_mem_range *r, unsigned n, u64 gpa, u64 len, u64 *hpa);
bool vm_ram_overlaps(const struct vm_ram *t, u64 gpa, u64 size);
u64 vm_ram_total(const struct vm_ram *t);
u64 vm_ram_top(const struct vm_ram *t);	/* highest GPA + 1 */

#endif
