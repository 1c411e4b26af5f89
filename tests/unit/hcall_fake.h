/*
 * A fake include/vmm.h for the hypercall tests: a VM table, Service VM RAM
 * backed by a host buffer, devices, mappings and INTx remaps, all plain data
 * the tests set up. Every operation (and every write to guest memory) is
 * logged, so a failed hypercall can be checked to have changed nothing.
 */
#ifndef HCALL_FAKE_H
#define HCALL_FAKE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vmm.h"
#include "errno.h"
#include "public/hypercall.h"
#include "../../hypercall/hcall.h"

/* Service VM RAM: one range (room for a 65,536-region batch); just above it lies "hypervisor memory". */
#define SVC_RAM_BASE	0x10000000ULL
#define SVC_RAM_SIZE	0x400000ULL
#define SVC_RAM_END	(SVC_RAM_BASE + SVC_RAM_SIZE)

#define FAKE_GPA_LIMIT	(1ULL << 39)
#define FAKE_GSI_COUNT	48
#define FAKE_LAPIC_BASE	0xFEE00000ULL	/* emulated: always "in use" */
#define FAKE_IOAPIC_BASE 0xFEC00000ULL
#define FAKE_MMIO32_BASE 0x80000000ULL
#define FAKE_MMIO32_END	0xE0000000ULL
#define FAKE_MMIO64_BASE (256ULL << 30)
#define FAKE_MMIO64_END	(512ULL << 30)

struct vm {
	bool service;
	bool present;
	u16 vmid;
	enum vmm_vm_state state;
	unsigned nr_vcpus;
	u64 ioreq_buf;
	u8 uuid[16];
	u32 lapic_ids[16];
	unsigned nr_allowed_pci;	/* the template's <pci-device> list; 0: any */
	u16 allowed_pci[4];
};

extern struct vm fake_service;
extern struct vm fake_pre;		/* a pre-launched VM (never a hypercall target) */
extern struct vm fake_vms[VMM_MAX_POST_VMS];
extern u8 fake_ram[SVC_RAM_SIZE];
extern u64 fake_pcpu_mask;		/* vmm_post_pcpu_mask(); reset to 0xE (pCPUs 1-3) */

enum fake_op {
	OP_COPY_TO, OP_CREATE, OP_DESTROY, OP_START, OP_PAUSE, OP_RESET, OP_SET_REGS,
	OP_CALLBACK, OP_REMOVE_VCPU, OP_SET_IOREQ, OP_NOTIFY, OP_MAP, OP_UNMAP, OP_MSI,
	OP_IRQLINE, OP_ASSIGN_PCI, OP_DEASSIGN_PCI, OP_ASSIGN_MMIO, OP_DEASSIGN_MMIO,
	OP_SET_INTX, OP_RESET_INTX, NR_FAKE_OPS
};

struct fake_call {
	enum fake_op op;
	struct vm *vm;
	u64 a, b, c, d;			/* the scalar arguments, in order */
	struct vmm_vm_params params;
	struct abi_regs regs;
	struct vmm_pcidev pcidev;
	struct abi_mmiodev mmiodev;
	struct abi_ptdev_irq irq;
};

/* The first FAKE_MAX_CALLS calls are logged; fake_ncalls and fake_count() count them all. */
#define FAKE_MAX_CALLS	1024
extern struct fake_call fake_calls[FAKE_MAX_CALLS];
extern unsigned fake_ncalls;

enum fake_map_kind { MAP_RAM, MAP_BAR, MAP_MMIODEV };
struct fake_map {
	struct vm *vm;
	u64 gpa, size, spa;
	u32 attr;
	enum fake_map_kind kind;
	bool batch_new;		/* mapped by the memory batch in progress */
	bool batch_del;		/* unmapped by it (goes when it commits) */
};
/*
 * RAM mapped by one batch at consecutive GPAs with the same attr is one map
 * (spa: the first region's), as Linux's one-region-per-page batches are.
 */
#define FAKE_MAX_MAPS	256
extern struct fake_map fake_maps[FAKE_MAX_MAPS];
extern unsigned fake_nmaps;

/* Memory batches: how they ended. */
extern unsigned fake_commits, fake_rollbacks;
extern int fake_flush_ret;
extern unsigned fake_layout_locked;

struct fake_pcidev {
	u16 pbdf;
	struct vmm_pcidev_info info;
};
#define FAKE_MAX_PCIDEVS 8
extern struct fake_pcidev fake_pcidevs[FAKE_MAX_PCIDEVS];
extern unsigned fake_npcidevs;

struct fake_mmiodev {
	u64 hpa, size;
	struct vmm_mmiodev_info info;
};
#define FAKE_MAX_MMIODEVS 8
extern struct fake_mmiodev fake_mmiodevs[FAKE_MAX_MMIODEVS];
extern unsigned fake_nmmiodevs;

struct fake_intx {
	struct vm *vm;
	u32 virt_pin;
	bool pic;
	u32 phys_pin;
};
#define FAKE_MAX_INTX	8
extern struct fake_intx fake_intx[FAKE_MAX_INTX];
extern unsigned fake_nintx;

/* Everything empty; Service VM with 4 vCPUs (LAPIC ids 0, 2, 4, 6). */
void fake_reset(void);
struct vm *fake_add_vm(u16 vmid, enum vmm_vm_state st, unsigned nr_vcpus);
/* The nth call (from 0) of op fails with err, changing nothing. */
void fake_fail(enum fake_op op, unsigned nth, int err);
unsigned fake_count(enum fake_op op);

/*
 * Service VM RAM: bump-allocate (64-byte aligned), copy in and out. Write it
 * only through these: fake_reset clears just the bytes they wrote.
 */
u64 fake_alloc(size_t len);
void fake_write(u64 gpa, const void *p, size_t len);
u64 fake_put(const void *p, size_t len);
void fake_get(u64 gpa, void *p, size_t len);
/* Place len bytes so that they end exactly at the end of RAM, minus cut. */
u64 fake_put_at_end(const void *p, size_t len, size_t cut);

struct fake_pcidev *fake_add_pcidev(u16 pbdf, enum vmm_owner owner);
struct fake_mmiodev *fake_add_mmiodev(u64 hpa, u64 size, enum vmm_owner owner);
void fake_add_map(struct vm *vm, u64 gpa, u64 size, enum fake_map_kind kind);
void fake_add_intx(struct vm *vm, u32 virt_pin, bool pic, u32 phys_pin);

static inline s64 hc(u64 id, u64 p1, u64 p2)
{
	return hcall_dispatch(&fake_service, id, p1, p2);
}

/* A failed call must have done nothing: no operation, no write to guest RAM. */
#define assert_no_change() assert_int_equal(fake_ncalls, 0)
#define assert_fails(expr, err) do { \
	assert_int_equal((expr), -(err)); \
	assert_no_change(); \
} while (0)

static inline int fake_setup(void **state)
{
	(void)state;
	fake_reset();
	return 0;
}

#define T(fn) cmocka_unit_test_setup(fn, fake_setup)

#endif
