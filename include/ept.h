/* A VM's EPT: guest-physical to host-physical, with rights and memory type (arch/x86/ept.c). */
#ifndef BH_EPT_H
#define BH_EPT_H

#include "types.h"

struct vm;

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
 * 60 (shadow stacks), 61 (SPP) and 63 (#VE) have meanings with features on.
 * A post-launched VM's RAM is exactly its EPT_RAM leaves; EPT_NEW and
 * EPT_DEL exist only while a VM_SET_MEMORY_REGIONS batch runs (vmm/vm_ram.c).
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

#endif
