/*
 * Hypercalls, memory group: VM_SET_MEMORY_REGIONS batches of any length,
 * read in chunks, all or nothing.
 */
#include "hcall_fake.h"

#define RW_WB	(ABI_MEM_TYPE_WB | ABI_MEM_ACCESS_RWX)
#define SPA(n)	(SVC_RAM_BASE + 0x20000 + (n) * PAGE_SIZE)	/* Service VM RAM pages */

static struct abi_mem_region_op add(u64 gpa, u64 spa, u64 size, u32 attr)
{
	return (struct abi_mem_region_op){ ABI_MEM_REGION_ADD, attr, gpa, spa, size };
}

static struct abi_mem_region_op del(u64 gpa, u64 size)
{
	return (struct abi_mem_region_op){ ABI_MEM_REGION_DEL, 0, gpa, 0, size };
}

/* What the fake VMM holds, to check a failed batch left it as it was. */
static struct fake_map maps_before[FAKE_MAX_MAPS];
static unsigned nmaps_before, rollbacks_before;

static void snap_maps(void)
{
	memcpy(maps_before, fake_maps, sizeof(fake_maps));
	nmaps_before = fake_nmaps;
	rollbacks_before = fake_rollbacks;
}

/* Bytes of the maps like m (VM, kind) inside [gpa, +size). */
static u64 covered(const struct fake_map *m, u64 gpa, u64 size)
{
	u64 n = 0;

	for (unsigned j = 0; j < fake_nmaps; j++) {
		const struct fake_map *c = &fake_maps[j];
		u64 lo = MAX(c->gpa, gpa), hi = MIN(c->gpa + c->size, gpa + size);

		if (c->vm == m->vm && c->kind == m->kind && lo < hi)
			n += hi - lo;
	}
	return n;
}

/* The same memory mapped as before (a map cut in pieces by a DEL that was taken back is the same). */
static void assert_maps_as_before(void)
{
	u64 before = 0, now = 0;

	for (unsigned i = 0; i < nmaps_before; i++) {
		assert_int_equal(covered(&maps_before[i], maps_before[i].gpa, maps_before[i].size),
				 maps_before[i].size);
		before += maps_before[i].size;
	}
	for (unsigned j = 0; j < fake_nmaps; j++) {
		assert_false(fake_maps[j].batch_new || fake_maps[j].batch_del);
		now += fake_maps[j].size;
	}
	assert_int_equal(now, before);
	assert_int_equal(fake_layout_locked, 0);
}

/* A batch that fails once it is under way: its errno, rolled back, the VM's memory as before. */
#define assert_undone(expr, err) do { \
	snap_maps(); \
	assert_int_equal((expr), -(err)); \
	assert_int_equal(fake_rollbacks, rollbacks_before + 1); \
	assert_maps_as_before(); \
} while (0)

/* The batch for vmid with its ops placed in RAM; returns the batch's GPA. */
static u64 batch(u16 vmid, const struct abi_mem_region_op *ops, u32 n)
{
	struct abi_mem_region_batch b = { .vmid = vmid, .regions_num = n };

	b.regions_gpa = n ? fake_put(ops, n * sizeof(*ops)) : 0;
	return fake_put(&b, sizeof(b));
}

static void test_add(void **state)
{
	struct abi_mem_region_op ops[] = {
		add(0, SPA(0), 0x4000, RW_WB),
		add(0x100000, SPA(8), 0x2000, ABI_MEM_TYPE_WB | ABI_MEM_ACCESS_READ | ABI_MEM_ACCESS_EXEC),
		add(FAKE_MMIO32_BASE, SPA(4), PAGE_SIZE, ABI_MEM_TYPE_UC | ABI_MEM_ACCESS_READ |
							  ABI_MEM_ACCESS_WRITE),
	};

	(void)state;
	fake_add_vm(1, VMM_VM_CREATED, 1);
	assert_int_equal(hc(HC_VM_SET_MEMORY_REGIONS, batch(1, ops, 3), 0), 0);
	assert_int_equal(fake_ncalls, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(fake_calls[i].op, OP_MAP);
		assert_ptr_equal(fake_calls[i].vm, &fake_vms[1]);
		assert_int_equal(fake_calls[i].a, ops[i].user_vm_pa);
		assert_int_equal(fake_calls[i].b, ops[i].service_vm_pa);
		assert_int_equal(fake_calls[i].c, ops[i].size);
		assert_int_equal(fake_calls[i].d, ops[i].attr);
	}
	assert_int_equal(fake_nmaps, 3);
}

static void test_add_in_any_state(void **state)
{
	static const enum vmm_vm_state st[] = { VMM_VM_RUNNING, VMM_VM_PAUSED, VMM_VM_STOPPED };
	struct abi_mem_region_op op = add(0x200000, SPA(0), PAGE_SIZE, RW_WB);

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(st); i++) {
		fake_reset();
		fake_add_vm(0, st[i], 1);
		assert_int_equal(hc(HC_VM_SET_MEMORY_REGIONS, batch(0, &op, 1), 0), 0);
		assert_int_equal(fake_count(OP_MAP), 1);
	}
}

static void test_del(void **state)
{
	struct abi_mem_region_op ops[] = { del(0x1000, 0x3000), del(0x40000000, PAGE_SIZE) };

	(void)state;
	fake_add_vm(1, VMM_VM_RUNNING, 1);
	fake_add_map(&fake_vms[1], 0, 0x4000, MAP_RAM);
	/* DEL ignores service_vm_pa and attr, as ACRN does (Linux sends zeros) */
	ops[1].service_vm_pa = 0xDEAD000;
	ops[1].attr = 0x12345;
	assert_int_equal(hc(HC_VM_SET_MEMORY_REGIONS, batch(1, ops, 2), 0), 0);
	assert_int_equal(fake_ncalls, 2);
	assert_int_equal(fake_calls[0].op, OP_UNMAP);
	assert_int_equal(fake_calls[0].a, 0x1000);
	assert_int_equal(fake_calls[0].b, 0x3000);
	assert_int_equal(fake_calls[1].a, 0x40000000);
}

/* A DEL whose EPT flush a vCPU did not answer is no success: its pages may still be written. */
static void test_del_flush_unanswered(void **state)
{
	struct abi_mem_region_op ops[] = { del(0x1000, PAGE_SIZE) };

	(void)state;
	fake_add_vm(1, VMM_VM_RUNNING, 1);
	fake_add_map(&fake_vms[1], 0x1000, PAGE_SIZE, MAP_RAM);
	fake_flush_ret = -ETIMEDOUT;
	assert_int_equal(hc(HC_VM_SET_MEMORY_REGIONS, batch(1, ops, 1), 0), -ETIMEDOUT);
	assert_int_equal(fake_commits, 1);
}

/* Operations reach the VMM in batch order; the DELs take effect when the batch commits. */
static void test_mixed_order(void **state)
{
	struct abi_mem_region_op ops[] = {
		del(0x10000, PAGE_SIZE), add(0x20000, SPA(0), PAGE_SIZE, RW_WB),
		del(0x30000, PAGE_SIZE), add(0x40000, SPA(1), PAGE_SIZE, RW_WB),
	};

	(void)state;
	fake_add_vm(1, VMM_VM_RUNNING, 1);
	fake_add_map(&fake_vms[1], 0x10000, PAGE_SIZE, MAP_RAM);
	assert_int_equal(hc(HC_VM_SET_MEMORY_REGIONS, batch(1, ops, 4), 0), 0);
	assert_int_equal(fake_ncalls, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(fake_calls[i].op, i % 2 ? OP_MAP : OP_UNMAP);
		assert_int_equal(fake_calls[i].a, ops[i].user_vm_pa);
	}
	assert_int_equal(fake_commits, 1);
	assert_int_equal(fake_nmaps, 2);
	assert_false(vmm_gpa_range_in_use(&fake_vms[1], 0x10000, PAGE_SIZE));
	assert_true(vmm_gpa_range_in_use(&fake_vms[1], 0x20000, PAGE_SIZE));
}

static void test_empty_batch(void **state)
{
	struct abi_mem_region_batch b = { .vmid = 1, .regions_num = 0, .regions_gpa = 0 };

	(void)state;
	fake_add_vm(1, VMM_VM_RUNNING, 1);
	assert_int_equal(hc(HC_VM_SET_MEMORY_REGIONS, fake_put(&b, sizeof(b)), 0), 0);
	assert_no_change();
}

static void test_batch_header(void **state)
{
	struct abi_mem_region_op op = add(0, SPA(0), PAGE_SIZE, RW_WB);
	struct abi_mem_region_batch b = { .vmid = 1, .regions_num = 1 };

	(void)state;
	fake_add_vm(1, VMM_VM_RUNNING, 1);
	b.regions_gpa = fake_put(&op, sizeof(op));
	/* the header itself unreadable */
	assert_fails(hc(HC_VM_SET_MEMORY_REGIONS, 0, 0), EFAULT);
	assert_fails(hc(HC_VM_SET_MEMORY_REGIONS, fake_put_at_end(&b, sizeof(b), 8), 0), EFAULT);
	/* reserved */
	b.reserved[1] = 1;
	assert_fails(hc(HC_VM_SET_MEMORY_REGIONS, fake_put(&b, sizeof(b)), 0), EINVAL);
	b.reserved[1] = 0;
	/* the compiler's padding is not looked at */
	b.pad = 0xFFFFFFFF;
	assert_int_equal(hc(HC_VM_SET_MEMORY_REGIONS, fake_put(&b, sizeof(b)), 0), 0);
	fake_reset();
	fake_add_vm(1, VMM_VM_RUNNING, 1);
	/* vmid: none there, out of range */
	b.vmid = 2;
	assert_fails(hc(HC_VM_SET_MEMORY_REGIONS, fake_put(&b, sizeof(b)), 0), EINVAL);
	b.vmid = VMM_MAX_POST_VMS;
	assert_fails(hc(HC_VM_SET_MEMORY_REGIONS, fake_put(&b, sizeof(b)), 0), EINVAL);
	b.vmid = 0xFFFF;
	assert_fails(hc(HC_VM_SET_MEMORY_REGIONS, fake_put(&b, sizeof(b)), 0), EINVAL);
}

static void test_ops_unreadable(void **state)
{
	struct abi_mem_region_op ops[2] = { add(0, SPA(0), PAGE_SIZE, RW_WB),
					    add(0x1000, SPA(1), PAGE_SIZE, RW_WB) };
	struct abi_mem_region_batch b = { .vmid = 0, .regions_num = 2 };

	(void)state;
	fake_add_vm(0, VMM_VM_RUNNING, 1);
	b.regions_gpa = 0x1000;
	assert_fails(hc(HC_VM_SET_MEMORY_REGIONS, fake_put(&b, sizeof(b)), 0), EFAULT);
	/* the second op runs past the end of RAM */
	b.regions_gpa = fake_put_at_end(ops, sizeof(ops), 16);
	assert_fails(hc(HC_VM_SET_MEMORY_REGIONS, fake_put(&b, sizeof(b)), 0), EFAULT);
	b.regions_gpa = ~0ULL - 31;
	assert_fails(hc(HC_VM_SET_MEMORY_REGIONS, fake_put(&b, sizeof(b)), 0), EFAULT);
	/* an array that would wrap the address space */
	b.regions_num = 0xFFFFFFFF;
	b.regions_gpa = ~0ULL - 0x1000;
	assert_fails(hc(HC_VM_SET_MEMORY_REGIONS, fake_put(&b, sizeof(b)), 0), EFAULT);
}

/* Good ops until the array leaves RAM, chunks later: what was applied goes again. */
static void test_ops_run_out_of_ram(void **state)
{
	enum { N = 3 * HCALL_MEM_CHUNK + 5 };
	static struct abi_mem_region_op ops[N];
	struct abi_mem_region_batch b = { .vmid = 0 };

	(void)state;
	fake_add_vm(0, VMM_VM_RUNNING, 1);
	fake_add_map(&fake_vms[0], 0x40000000, PAGE_SIZE, MAP_RAM);
	for (u32 i = 0; i < N; i++)
		ops[i] = add(i * PAGE_SIZE, SPA(i % 32), PAGE_SIZE, RW_WB);
	ops[7] = del(0x40000000, PAGE_SIZE);
	/* the last op's bytes are cut off: its chunk cannot be read */
	b.regions_gpa = fake_put_at_end(ops, sizeof(ops), 8);
	b.regions_num = N;
	assert_undone(hc(HC_VM_SET_MEMORY_REGIONS, fake_put(&b, sizeof(b)), 0), EFAULT);
	assert_int_equal(fake_count(OP_MAP), 3 * HCALL_MEM_CHUNK - 1);
	/* the same ops one short of the end: all of them */
	b.regions_num = N - 1;
	assert_int_equal(hc(HC_VM_SET_MEMORY_REGIONS, fake_put(&b, sizeof(b)), 0), 0);
	assert_false(vmm_gpa_range_in_use(&fake_vms[0], 0x40000000, PAGE_SIZE));
	assert_true(vmm_gpa_range_in_use(&fake_vms[0], (N - 2) * PAGE_SIZE, PAGE_SIZE));
	assert_false(vmm_gpa_range_in_use(&fake_vms[0], (N - 1) * PAGE_SIZE, PAGE_SIZE));
}

/*
 * One bad op in a batch of good ones: nothing of the batch stays. First,
 * nothing happens at all; then after an ADD and a DEL (of mapped RAM) that
 * went through and are taken back.
 */
static void check_bad_op(struct abi_mem_region_op bad, int err)
{
	struct abi_mem_region_op ops[] = {
		bad,
		add(0x0, SPA(0), PAGE_SIZE, RW_WB),
		del(0x800000, PAGE_SIZE),
		bad,
		add(0x10000, SPA(1), PAGE_SIZE, RW_WB),
	};
	bool mapped = vmm_gpa_range_in_use(&fake_vms[0], 0x800000, PAGE_SIZE);

	if (!mapped)
		fake_add_map(&fake_vms[0], 0x800000, PAGE_SIZE, MAP_RAM);
	fake_ncalls = 0;
	assert_undone(hc(HC_VM_SET_MEMORY_REGIONS, batch(0, ops, 1), 0), err);
	assert_int_equal(fake_ncalls, 0);
	assert_undone(hc(HC_VM_SET_MEMORY_REGIONS, batch(0, &ops[1], 4), 0), err);
	assert_int_equal(fake_ncalls, 2);
	assert_int_equal(fake_calls[0].op, OP_MAP);
	assert_int_equal(fake_calls[1].op, OP_UNMAP);
}

static void test_bad_ops(void **state)
{
	const u64 g = 0x100000;

	(void)state;
	fake_add_vm(0, VMM_VM_RUNNING, 1);
	/* type: only ADD (0) and DEL (2) */
	struct abi_mem_region_op t = add(g, SPA(2), PAGE_SIZE, RW_WB);
	t.type = 1;
	check_bad_op(t, EINVAL);
	t.type = 3;
	check_bad_op(t, EINVAL);
	/* unaligned user GPA, service GPA, size; empty */
	check_bad_op(add(g + 0x800, SPA(2), PAGE_SIZE, RW_WB), EINVAL);
	check_bad_op(add(g, SPA(2) + 8, PAGE_SIZE, RW_WB), EINVAL);
	check_bad_op(add(g, SPA(2), 0x1800, RW_WB), EINVAL);
	check_bad_op(add(g, SPA(2), 0, RW_WB), EINVAL);
	check_bad_op(del(g + 1, PAGE_SIZE), EINVAL);
	check_bad_op(del(g, 0), EINVAL);
	check_bad_op(del(g, 0x10), EINVAL);
	/* wrapping, beyond the VM's GPA limit */
	check_bad_op(add(0xFFFFFFFFFFFFF000ULL, SPA(2), 0x2000, RW_WB), EINVAL);
	check_bad_op(add(FAKE_GPA_LIMIT - PAGE_SIZE, SPA(2), 0x2000, RW_WB), EINVAL);
	check_bad_op(add(FAKE_GPA_LIMIT, SPA(2), PAGE_SIZE, RW_WB), EINVAL);
	check_bad_op(del(FAKE_GPA_LIMIT - PAGE_SIZE, 0x2000), EINVAL);
	check_bad_op(add(g, 0xFFFFFFFFFFFFF000ULL, 0x2000, RW_WB), EINVAL);
}

static void test_bad_attr(void **state)
{
	static const u32 attrs[] = {
		ABI_MEM_ACCESS_RWX,				/* no memory type */
		ABI_MEM_TYPE_WB | ABI_MEM_TYPE_UC | ABI_MEM_ACCESS_RWX,	/* two */
		ABI_MEM_TYPE_WB,				/* no access */
		ABI_MEM_TYPE_WB | ABI_MEM_ACCESS_WRITE,		/* write-only */
		ABI_MEM_TYPE_WB | ABI_MEM_ACCESS_EXEC,		/* execute-only */
		ABI_MEM_TYPE_WB | ABI_MEM_ACCESS_WRITE | ABI_MEM_ACCESS_EXEC,
		RW_WB | BIT(3),					/* undefined bits */
		RW_WB | BIT(11),
		RW_WB | BIT(31),
	};

	(void)state;
	fake_add_vm(0, VMM_VM_RUNNING, 1);
	for (size_t i = 0; i < ARRAY_SIZE(attrs); i++)
		check_bad_op(add(0x100000, SPA(2), PAGE_SIZE, attrs[i]), EINVAL);
	/* every single memory type is fine */
	static const u32 types[] = { ABI_MEM_TYPE_WB, ABI_MEM_TYPE_WT, ABI_MEM_TYPE_UC,
				     ABI_MEM_TYPE_WC, ABI_MEM_TYPE_WP };
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		struct abi_mem_region_op op = add(0x100000 + i * PAGE_SIZE, SPA(i), PAGE_SIZE,
						  types[i] | ABI_MEM_ACCESS_READ);

		assert_int_equal(hc(HC_VM_SET_MEMORY_REGIONS, batch(0, &op, 1), 0), 0);
	}
}

/* Only the Service VM's own RAM may be given: never the hypervisor's or a hole. */
static void test_service_range_not_ram(void **state)
{
	(void)state;
	fake_add_vm(0, VMM_VM_RUNNING, 1);
	check_bad_op(add(0x100000, SVC_RAM_END, PAGE_SIZE, RW_WB), EFAULT);
	check_bad_op(add(0x100000, SVC_RAM_BASE - PAGE_SIZE, PAGE_SIZE, RW_WB), EFAULT);
	check_bad_op(add(0x100000, 0, PAGE_SIZE, RW_WB), EFAULT);
	/* straddling the end of RAM, and the start */
	check_bad_op(add(0x100000, SVC_RAM_END - PAGE_SIZE, 0x2000, RW_WB), EFAULT);
	check_bad_op(add(0x100000, SVC_RAM_BASE - PAGE_SIZE, 0x2000, RW_WB), EFAULT);
	/* all of RAM is fine */
	struct abi_mem_region_op op = add(0x100000, SVC_RAM_BASE, SVC_RAM_SIZE, RW_WB);
	assert_int_equal(hc(HC_VM_SET_MEMORY_REGIONS, batch(0, &op, 1), 0), 0);
}

static void test_overlap_existing(void **state)
{
	struct vm *vm = fake_add_vm(0, VMM_VM_RUNNING, 1);

	(void)state;
	fake_add_map(vm, 0x200000, 0x4000, MAP_RAM);
	fake_add_map(vm, 0x80001000, PAGE_SIZE, MAP_BAR);
	check_bad_op(add(0x200000, SPA(2), PAGE_SIZE, RW_WB), EEXIST);
	check_bad_op(add(0x203000, SPA(2), 0x2000, RW_WB), EEXIST);
	check_bad_op(add(0x1FF000, SPA(2), 0x2000, RW_WB), EEXIST);
	check_bad_op(add(0x80000000, SPA(2), 0x2000, RW_WB), EEXIST);	/* a BAR */
	check_bad_op(add(FAKE_LAPIC_BASE, SPA(2), PAGE_SIZE, RW_WB), EEXIST);
	check_bad_op(add(FAKE_IOAPIC_BASE - PAGE_SIZE, SPA(2), 0x2000, RW_WB), EEXIST);
	/* another VM's mappings are no concern of this one */
	struct abi_mem_region_op op = add(0x300000, SPA(2), PAGE_SIZE, RW_WB);
	fake_add_vm(1, VMM_VM_RUNNING, 1);
	fake_add_map(&fake_vms[1], 0x300000, PAGE_SIZE, MAP_RAM);
	assert_int_equal(hc(HC_VM_SET_MEMORY_REGIONS, batch(0, &op, 1), 0), 0);
}

static void test_overlap_in_batch(void **state)
{
	struct abi_mem_region_op ops[3];

	(void)state;
	fake_add_vm(0, VMM_VM_RUNNING, 1);
	ops[0] = add(0x100000, SPA(0), 0x3000, RW_WB);
	ops[1] = add(0x200000, SPA(4), 0x1000, RW_WB);
	ops[2] = add(0x102000, SPA(8), 0x1000, RW_WB);
	assert_undone(hc(HC_VM_SET_MEMORY_REGIONS, batch(0, ops, 3), 0), EINVAL);
	/* an ADD, then a DEL of the same page in one batch */
	ops[2] = del(0x100000, 0x1000);
	assert_undone(hc(HC_VM_SET_MEMORY_REGIONS, batch(0, ops, 3), 0), EINVAL);
	ops[2] = add(0x1FF000, SPA(8), 0x2000, RW_WB);
	assert_undone(hc(HC_VM_SET_MEMORY_REGIONS, batch(0, ops, 3), 0), EINVAL);
	/* adjacent is not overlapping; sharing a Service VM page is allowed */
	ops[2] = add(0x103000, SPA(0), 0x1000, RW_WB);
	fake_reset();
	fake_add_vm(0, VMM_VM_RUNNING, 1);
	assert_int_equal(hc(HC_VM_SET_MEMORY_REGIONS, batch(0, ops, 3), 0), 0);
	assert_int_equal(fake_count(OP_MAP), 3);
}

/* A DEL, then an ADD or another DEL of that RAM in the same batch; and a DEL of nothing. */
static void test_overlap_with_del_in_batch(void **state)
{
	struct abi_mem_region_op ops[2];

	(void)state;
	fake_add_vm(0, VMM_VM_RUNNING, 1);
	fake_add_map(&fake_vms[0], 0x400000, 0x4000, MAP_RAM);
	ops[0] = del(0x400000, 0x2000);
	ops[1] = add(0x401000, SPA(0), 0x1000, RW_WB);
	assert_undone(hc(HC_VM_SET_MEMORY_REGIONS, batch(0, ops, 2), 0), EINVAL);
	ops[1] = del(0x3FF000, 0x2000);
	assert_undone(hc(HC_VM_SET_MEMORY_REGIONS, batch(0, ops, 2), 0), EINVAL);
	/* the RAM that stays is only in use: -EEXIST */
	ops[1] = add(0x402000, SPA(0), 0x1000, RW_WB);
	assert_undone(hc(HC_VM_SET_MEMORY_REGIONS, batch(0, ops, 2), 0), EEXIST);
	/* a DEL where there is no RAM collides with nothing: the ADD after it stands */
	ops[0] = del(0x800000, 0x1000);
	ops[1] = add(0x800000, SPA(0), 0x1000, RW_WB);
	assert_int_equal(hc(HC_VM_SET_MEMORY_REGIONS, batch(0, ops, 2), 0), 0);
	assert_true(vmm_gpa_range_in_use(&fake_vms[0], 0x800000, 0x1000));
}

/* The VMM runs out half-way: what was added is taken away again, the DEL never happens. */
static void test_rollback(void **state)
{
	struct abi_mem_region_op ops[] = {
		add(0x100000, SPA(0), PAGE_SIZE, RW_WB),
		del(0x500000, PAGE_SIZE),
		add(0x200000, SPA(1), 0x2000, RW_WB),
		add(0x300000, SPA(3), PAGE_SIZE, RW_WB),
	};
	struct vm *vm = fake_add_vm(0, VMM_VM_RUNNING, 1);

	(void)state;
	fake_add_map(vm, 0x500000, PAGE_SIZE, MAP_RAM);
	fake_fail(OP_MAP, 2, -ENOMEM);
	assert_undone(hc(HC_VM_SET_MEMORY_REGIONS, batch(0, ops, 4), 0), ENOMEM);
	/* two maps and the DEL went through before the VMM ran out */
	assert_int_equal(fake_ncalls, 3);
	assert_int_equal(fake_calls[0].op, OP_MAP);
	assert_int_equal(fake_calls[1].op, OP_UNMAP);
	assert_int_equal(fake_calls[2].op, OP_MAP);
	/* net effect: exactly the mapping that was there before */
	assert_int_equal(fake_nmaps, 1);
	assert_int_equal(fake_maps[0].gpa, 0x500000);
	/* a DEL the VMM cannot do (no page to split a 2 MiB one) ends the batch the same way */
	fake_reset();
	vm = fake_add_vm(0, VMM_VM_RUNNING, 1);
	fake_add_map(vm, 0x500000, PAGE_SIZE, MAP_RAM);
	fake_fail(OP_UNMAP, 0, -ENOMEM);
	assert_undone(hc(HC_VM_SET_MEMORY_REGIONS, batch(0, ops, 4), 0), ENOMEM);
}

/* Linux's batch for 256 MiB of 4 KiB pages: 65,536 regions, Service VM pages all over the place. */
#define BIG 65536u
static struct abi_mem_region_op big_ops[BIG];

/* big_ops[0..n) as a batch: always at 1 MiB into Service VM RAM, above what fake_put hands out. */
static u64 big_batch(u16 vmid, u32 n)
{
	struct abi_mem_region_batch b = { .vmid = vmid, .regions_num = n };

	b.regions_gpa = SVC_RAM_BASE + 0x100000;
	fake_write(b.regions_gpa, big_ops, n * sizeof(big_ops[0]));
	return fake_put(&b, sizeof(b));
}

static void test_large_batch(void **state)
{
	const u64 base = 0x100000000ULL;
	u64 at;

	(void)state;
	fake_add_vm(0, VMM_VM_RUNNING, 1);
	for (u32 i = 0; i < BIG; i++)
		big_ops[i] = add(base + (u64)i * PAGE_SIZE, SPA((i * 37) % 48), PAGE_SIZE, RW_WB);
	at = big_batch(0, BIG);
	assert_int_equal(hc(HC_VM_SET_MEMORY_REGIONS, at, 0), 0);
	assert_int_equal(fake_count(OP_MAP), BIG);
	assert_int_equal(fake_calls[1000].a, base + 1000 * PAGE_SIZE);
	assert_int_equal(fake_calls[1000].b, SPA((1000 * 37) % 48));
	assert_int_equal(fake_commits, 1);
	assert_true(vmm_gpa_range_in_use(&fake_vms[0], base + (BIG - 1) * PAGE_SIZE, PAGE_SIZE));
	/* the same batch again: its first page is taken, nothing else is tried */
	fake_ncalls = 0;
	assert_undone(hc(HC_VM_SET_MEMORY_REGIONS, at, 0), EEXIST);
	assert_int_equal(fake_ncalls, 0);
	/* one DEL of it all */
	big_ops[0] = del(base, (u64)BIG * PAGE_SIZE);
	assert_int_equal(hc(HC_VM_SET_MEMORY_REGIONS, big_batch(0, 1), 0), 0);
	assert_false(vmm_gpa_range_in_use(&fake_vms[0], base, (u64)BIG * PAGE_SIZE));
}

/* A bad region at the very end of a huge batch, or the VMM failing deep inside: all undone. */
static void test_large_batch_undone(void **state)
{
	const u64 base = 0x100000000ULL;

	(void)state;
	fake_add_vm(0, VMM_VM_RUNNING, 1);
	fake_add_map(&fake_vms[0], 0x1000, PAGE_SIZE, MAP_RAM);
	for (u32 i = 0; i < BIG; i++)
		big_ops[i] = add(base + (u64)i * PAGE_SIZE, SPA(i % 48), PAGE_SIZE, RW_WB);
	big_ops[12345] = del(0x1000, PAGE_SIZE);
	big_ops[BIG - 1] = add(0x1000000, SVC_RAM_END, PAGE_SIZE, RW_WB);
	assert_undone(hc(HC_VM_SET_MEMORY_REGIONS, big_batch(0, BIG), 0), EFAULT);
	assert_int_equal(fake_count(OP_MAP), BIG - 2);
	assert_true(vmm_gpa_range_in_use(&fake_vms[0], 0x1000, PAGE_SIZE));
	/* the last page again mapped by the batch: -EINVAL */
	big_ops[BIG - 1] = add(base + 7 * PAGE_SIZE, SPA(0), PAGE_SIZE, RW_WB);
	assert_undone(hc(HC_VM_SET_MEMORY_REGIONS, big_batch(0, BIG), 0), EINVAL);
	/* out of memory after 40,000 maps */
	big_ops[BIG - 1] = add(base + (u64)(BIG - 1) * PAGE_SIZE, SPA(0), PAGE_SIZE, RW_WB);
	fake_reset();
	fake_add_vm(0, VMM_VM_RUNNING, 1);
	fake_add_map(&fake_vms[0], 0x1000, PAGE_SIZE, MAP_RAM);
	fake_fail(OP_MAP, 40000, -ENOMEM);
	assert_undone(hc(HC_VM_SET_MEMORY_REGIONS, big_batch(0, BIG), 0), ENOMEM);
	assert_int_equal(fake_count(OP_MAP), 40000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_add),
		T(test_add_in_any_state),
		T(test_del),
		T(test_del_flush_unanswered),
		T(test_mixed_order),
		T(test_empty_batch),
		T(test_batch_header),
		T(test_ops_unreadable),
		T(test_ops_run_out_of_ram),
		T(test_bad_ops),
		T(test_bad_attr),
		T(test_service_range_not_ram),
		T(test_overlap_existing),
		T(test_overlap_in_batch),
		T(test_overlap_with_del_in_batch),
		T(test_rollback),
		T(test_large_batch),
		T(test_large_batch_undone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
