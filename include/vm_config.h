/*
 * Build-time VM configuration. This is the shape of the data the scenario
 * generator emits (plain structs, no logic); the hypervisor reads only this.
 */
#ifndef BH_VM_CONFIG_H
#define BH_VM_CONFIG_H

#include "types.h"

#define CONFIG_MAX_VMS 8
#define CONFIG_MAX_CPUS 16
#define CONFIG_MAX_MEM_RANGES 4

enum vm_kind {
	VM_PRE_LAUNCHED,
	VM_SERVICE,
	VM_POST_LAUNCHED,
};

enum vm_kernel_type {
	VM_KERNEL_ELF,		/* test guest / multiboot-style ELF */
	VM_KERNEL_BZIMAGE,	/* Linux, 64-bit boot protocol */
};

struct vm_mem_range {
	u64 gpa;
	u64 hpa;
	u64 size;
};

struct vm_config {
	const char *name;
	enum vm_kind kind;
	u64 cpu_affinity;		/* bitmap of physical CPU indices (MADT order) */
	unsigned nr_mem;
	struct vm_mem_range mem[CONFIG_MAX_MEM_RANGES];
	enum vm_kernel_type kernel_type;
	const char *kernel_tag;		/* multiboot module string */
	const char *initrd_tag;		/* NULL: none */
	const char *bootargs;
	u32 flags;
};

#define VM_FLAG_PRIVILEGED BIT(0)	/* CPUID 0x40000001 EAX bit 0 */

struct hv_mem_config {
	u64 base;			/* hypervisor image + heap */
	u64 size;
};

struct scenario_config {
	const char *board;
	const char *scenario;
	struct hv_mem_config hv_mem;
	unsigned nr_vms;
	const struct vm_config *vms;
};

extern const struct scenario_config scenario;

#endif
