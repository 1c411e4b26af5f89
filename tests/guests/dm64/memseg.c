/*
 * Memory mapped the way Linux's HSM does it for ACRN_IOCTL_SET_MEMSEG: one
 * VM_SET_MEMORY_REGIONS batch with one region per 4 KiB page, the pages
 * anywhere in our RAM. Into a fresh post VM (never started): all the RAM its
 * template allows, timed; then the refusals that must leave it as it was,
 * an unmap in the middle and the pages mapped again.
 *
 *   bench memseg_4k_region_insns: TSC ticks of the hypercall (Bochs's TSC
 *     counts emulated instructions) over the number of regions, the
 *     batch's commit included.
 *   bench ept_bytes_per_gib_4k: the hypervisor memory the batch took (free
 *     bytes from bulkhead's CPUID leaf 0x40000101 right before and right
 *     after), times 1 GiB / 64 MiB: EPT tables and anything else allocated,
 *     the PDPT and PD counted whole for only 64 MiB.
 */
#include "dm.h"

#define MEMSEG_PAGES	16384U		/* 64 MiB: the post template's RAM (postvm.xml) */
#define MEMSEG_BYTES	((u64)MEMSEG_PAGES * PAGE_SIZE)
/* Our pages it comes from: the first post VM's RAM (destroyed by now) and what follows */
#define MEMSEG_HOST	0x8000000ULL
/* The batch's array: 512 KiB of our RAM above those pages */
#define MEMSEG_OPS	((struct abi_mem_region_op *)0xC000000ULL)
/* Odd, so i -> i * MEMSEG_SCATTER mod MEMSEG_PAGES visits every page once, never in order */
#define MEMSEG_SCATTER	4099U
#define GIB		(1ULL << 30)
#define HV_LEAF_FREE_MEM 0x40000101U
#define MEMSEG_ATTR	(ABI_MEM_TYPE_WB | ABI_MEM_ACCESS_RWX)

static struct abi_mem_region_batch mbatch;

u64 hv_free_mem(void)
{
	u32 a, b, c, d;

	asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(HV_LEAF_FREE_MEM), "c"(0));
	return (u64)d << 32 | a;
}

static u64 host_page(u32 i)
{
	return MEMSEG_HOST + (u64)((i * MEMSEG_SCATTER) % MEMSEG_PAGES) * PAGE_SIZE;
}

static struct abi_mem_region_op add_op(u64 gpa, u64 host, u64 size)
{
	return (struct abi_mem_region_op){ .type = ABI_MEM_REGION_ADD, .attr = MEMSEG_ATTR,
		.user_vm_pa = gpa, .service_vm_pa = host, .size = size };
}

static struct abi_mem_region_op del_op(u64 gpa, u64 size)
{
	return (struct abi_mem_region_op){ .type = ABI_MEM_REGION_DEL, .user_vm_pa = gpa,
		.size = size };
}

/* The first n ops of MEMSEG_OPS as one batch. */
static s64 run_batch(u16 vmid, u32 n)
{
	mbatch = (struct abi_mem_region_batch){ .vmid = vmid, .regions_num = n,
		.regions_gpa = (u64)MEMSEG_OPS };
	return hcall(HC_VM_SET_MEMORY_REGIONS, (u64)&mbatch, 0);
}

static void bench_4k_batch(u16 vmid)
{
	struct abi_mem_region_op *ops = MEMSEG_OPS;
	u64 before, after, t0, t1, used;
	s64 r;

	for (u32 i = 0; i < MEMSEG_PAGES; i++)
		ops[i] = add_op((u64)i * PAGE_SIZE, host_page(i), PAGE_SIZE);
	before = hv_free_mem();
	t0 = rdtsc();
	r = run_batch(vmid, MEMSEG_PAGES);
	t1 = rdtsc();
	after = hv_free_mem();
	used = before - after;
	tap_ret(r, 0, "VM_SET_MEMORY_REGIONS: %u regions of 4 KiB at scattered host pages (64 MiB)",
		MEMSEG_PAGES);
	/* at least a table per 2 MiB, at most one more per region: something is wrong otherwise */
	tap(r == 0 && before && after <= before && used >= MEMSEG_BYTES / 512 &&
	    used < MEMSEG_BYTES / 64,
	    "the hypervisor took %lu bytes for them (%lu free before)", (unsigned long)used,
	    (unsigned long)before);
	if (r)
		return;
	dm_printf("bench memseg_4k_region_insns %lu insns\n",
		  (unsigned long)((t1 - t0) / MEMSEG_PAGES));
	dm_printf("bench ept_bytes_per_gib_4k %lu bytes\n",
		  (unsigned long)(used * (GIB / MEMSEG_BYTES)));
}

s64 memseg_map_4k(u16 vmid, u64 user_gpa, u64 host, u64 size)
{
	struct abi_mem_region_op *ops = MEMSEG_OPS;
	u32 n = (u32)(size / PAGE_SIZE);
	s64 r;

	ops[0] = del_op(user_gpa, size);
	r = run_batch(vmid, 1);
	if (r)
		return r;
	for (u32 i = 0; i < n; i++)
		ops[i] = add_op(user_gpa + (u64)i * PAGE_SIZE, host + (u64)i * PAGE_SIZE, PAGE_SIZE);
	return run_batch(vmid, n);
}

void memseg_checks(u16 vmid)
{
	struct abi_mem_region_op *ops = MEMSEG_OPS;
	u64 before;
	s64 r;

	bench_4k_batch(vmid);

	ops[0] = add_op(MEMSEG_BYTES, host_page(0), PAGE_SIZE);
	before = hv_free_mem();
	r = run_batch(vmid, 1);
	tap_ret(r, -ENOMEM, "one 4 KiB region more than the template's 64 MiB");
	tap(hv_free_mem() == before, "and the hypervisor's memory is as it was");

	/* a DEL, then a region of the hypervisor's memory: all of it refused */
	ops[0] = del_op(0, 1 << 20);
	ops[1] = add_op(MEMSEG_BYTES, HV_MEMORY, PAGE_SIZE);
	r = run_batch(vmid, 2);
	tap_ret(r, -EFAULT, "a batch of a DEL and a region of the hypervisor's memory");
	ops[0] = add_op(0x80000, host_page(0x80), PAGE_SIZE);
	r = run_batch(vmid, 1);
	tap_ret(r, -EEXIST, "the DEL before the bad region did not happen: user page 0x80000 is "
		"still mapped");

	ops[0] = del_op(100 * PAGE_SIZE, PAGE_SIZE);
	ops[1] = del_op(99 * PAGE_SIZE, 2 * PAGE_SIZE);
	r = run_batch(vmid, 2);
	tap_ret(r, -EINVAL, "two DELs of the same page in one batch");

	/* 100 pages out of the middle, and back from other host pages */
	ops[0] = del_op(1000 * PAGE_SIZE, 100 * PAGE_SIZE);
	r = run_batch(vmid, 1);
	tap_ret(r, 0, "DEL of 100 pages in the middle of the 16384");
	for (u32 i = 0; i < 100; i++)
		ops[i] = add_op((1000 + i) * PAGE_SIZE, host_page(5000 + 3 * i), PAGE_SIZE);
	r = run_batch(vmid, 100);
	tap_ret(r, 0, "those 100 pages mapped again, from other host pages (the budget came back)");
}
