/*
 * Hypercalls, VM group: CREATE/DESTROY/START/PAUSE/RESET_VM and the
 * parameter side of SET_VCPU_REGS (the register checks: test_hcall_regs.c).
 */
#include "hcall_fake.h"

static struct abi_vm_creation creation(u64 affinity)
{
	struct abi_vm_creation cv = { 0 };

	cv.vmid = 0x5555;		/* out fields: whatever comes in */
	cv.vcpu_num = 0x7777;
	for (int i = 0; i < 16; i++)
		cv.uuid[i] = (u8)(0x10 + i);
	cv.vm_flag = ABI_VM_FLAG_IO_COMPLETION_POLLING;
	cv.ioreq_buf = 0x7fff00001000ULL;	/* a user address in Linux: ignored */
	cv.cpu_affinity = affinity;
	return cv;
}

static void test_create(void **state)
{
	struct abi_vm_creation cv = creation(0x6), out;
	u64 gpa = fake_put(&cv, sizeof(cv));

	(void)state;
	fake_add_vm(0, VMM_VM_RUNNING, 1);	/* slot 0 taken */
	assert_int_equal(hc(HC_CREATE_VM, gpa, 0), 0);
	assert_int_equal(fake_ncalls, 2);
	assert_int_equal(fake_calls[0].op, OP_CREATE);
	assert_memory_equal(fake_calls[0].params.uuid, cv.uuid, 16);
	assert_int_equal(fake_calls[0].params.vm_flag, ABI_VM_FLAG_IO_COMPLETION_POLLING);
	assert_int_equal(fake_calls[0].params.cpu_affinity, 0x6);
	assert_int_equal(fake_calls[1].op, OP_COPY_TO);
	fake_get(gpa, &out, sizeof(out));
	assert_int_equal(out.vmid, 1);
	assert_int_equal(out.vcpu_num, 2);
	/* the rest comes back as it went in */
	assert_memory_equal(out.uuid, cv.uuid, 16);
	assert_int_equal(out.cpu_affinity, 0x6);
	assert_int_equal(out.ioreq_buf, cv.ioreq_buf);
	assert_true(fake_vms[1].present);
	assert_int_equal(fake_vms[1].state, VMM_VM_CREATED);
}

static void test_create_template_affinity(void **state)
{
	struct abi_vm_creation cv = creation(0), out;
	u64 gpa;

	(void)state;
	cv.vm_flag = ABI_VM_FLAG_HIDE_MTRR | ABI_VM_FLAG_IO_COMPLETION_POLLING;
	gpa = fake_put(&cv, sizeof(cv));
	assert_int_equal(hc(HC_CREATE_VM, gpa, 0), 0);
	fake_get(gpa, &out, sizeof(out));
	assert_int_equal(out.vmid, 0);
	assert_int_equal(out.vcpu_num, 2);	/* the fake template's */
	assert_int_equal(fake_calls[0].params.cpu_affinity, 0);
}

static void test_create_bad_fields(void **state)
{
	struct abi_vm_creation cv;

	(void)state;
	cv = creation(0x2);
	cv.reserved0 = 1;
	assert_fails(hc(HC_CREATE_VM, fake_put(&cv, sizeof(cv)), 0), EINVAL);
	cv = creation(0x2);
	cv.reserved1 = 0x8000;
	assert_fails(hc(HC_CREATE_VM, fake_put(&cv, sizeof(cv)), 0), EINVAL);
	/* flags we do not provide: secure world, LAPIC passthrough, RT, nested, unknown */
	static const u64 flags[] = { ABI_VM_FLAG_SECURE_WORLD, ABI_VM_FLAG_LAPIC_PASSTHROUGH,
				     ABI_VM_FLAG_RT, ABI_VM_FLAG_NVMX, BIT(40) };
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		cv = creation(0x2);
		cv.vm_flag |= flags[i];
		assert_fails(hc(HC_CREATE_VM, fake_put(&cv, sizeof(cv)), 0), EINVAL);
	}
	/* pCPU 0 is not free for post-launched VMs, nor is 4 */
	cv = creation(0x3);
	assert_fails(hc(HC_CREATE_VM, fake_put(&cv, sizeof(cv)), 0), EINVAL);
	cv = creation(0x12);
	assert_fails(hc(HC_CREATE_VM, fake_put(&cv, sizeof(cv)), 0), EINVAL);
	cv = creation(1ULL << 63);
	assert_fails(hc(HC_CREATE_VM, fake_put(&cv, sizeof(cv)), 0), EINVAL);
	for (int i = 0; i < VMM_MAX_POST_VMS; i++)
		assert_false(fake_vms[i].present);
}

/* One ioreq slot per vCPU: at most 16, whatever the machine has. */
static void test_create_vcpu_limit(void **state)
{
	struct abi_vm_creation cv, out;
	u64 gpa;

	(void)state;
	fake_pcpu_mask = 0x1FFFF;
	cv = creation(0x1FFFF);
	assert_fails(hc(HC_CREATE_VM, fake_put(&cv, sizeof(cv)), 0), EINVAL);
	cv = creation(0xFFFF);
	gpa = fake_put(&cv, sizeof(cv));
	assert_int_equal(hc(HC_CREATE_VM, gpa, 0), 0);
	fake_get(gpa, &out, sizeof(out));
	assert_int_equal(out.vcpu_num, 16);
}

static void test_create_uuid_in_use(void **state)
{
	struct abi_vm_creation cv = creation(0x2);
	struct vm *other = fake_add_vm(3, VMM_VM_RUNNING, 1);

	(void)state;
	memcpy(other->uuid, cv.uuid, 16);
	assert_fails(hc(HC_CREATE_VM, fake_put(&cv, sizeof(cv)), 0), EEXIST);
}

static void test_create_bad_gpa(void **state)
{
	struct abi_vm_creation cv = creation(0x2);

	(void)state;
	assert_fails(hc(HC_CREATE_VM, 0x1000, 0), EFAULT);
	assert_fails(hc(HC_CREATE_VM, SVC_RAM_END, 0), EFAULT);
	assert_fails(hc(HC_CREATE_VM, fake_put_at_end(&cv, sizeof(cv), 8), 0), EFAULT);
	assert_fails(hc(HC_CREATE_VM, ~0ULL - 16, 0), EFAULT);
	/* flush against the end is fine */
	assert_int_equal(hc(HC_CREATE_VM, fake_put_at_end(&cv, sizeof(cv), 0), 0), 0);
}

static void test_create_vmm_fails(void **state)
{
	struct abi_vm_creation cv = creation(0x2), out;
	u64 gpa = fake_put(&cv, sizeof(cv));

	(void)state;
	fake_fail(OP_CREATE, 0, -ENOSPC);
	assert_fails(hc(HC_CREATE_VM, gpa, 0), ENOSPC);
	fake_get(gpa, &out, sizeof(out));
	assert_memory_equal(&out, &cv, sizeof(cv));	/* nothing written back */
}

/* The write-back cannot fail in practice; if it does, the new VM goes again. */
static void test_create_writeback_fails(void **state)
{
	struct abi_vm_creation cv = creation(0x2);

	(void)state;
	fake_fail(OP_COPY_TO, 0, -EFAULT);
	assert_int_equal(hc(HC_CREATE_VM, fake_put(&cv, sizeof(cv)), 0), -EFAULT);
	assert_int_equal(fake_ncalls, 2);
	assert_int_equal(fake_calls[0].op, OP_CREATE);
	assert_int_equal(fake_calls[1].op, OP_DESTROY);
	assert_ptr_equal(fake_calls[1].vm, fake_calls[0].vm);
	assert_false(fake_vms[0].present);
}

/* Every vmid-taking hypercall: out of range, no VM there, stray high bits. */
static void test_vmid_checks(void **state)
{
	static const u64 ids[] = {
		HC_DESTROY_VM, HC_START_VM, HC_PAUSE_VM, HC_RESET_VM, HC_SET_VCPU_REGS,
		HC_INJECT_MSI, HC_SET_IRQLINE, HC_SET_IOREQ_BUFFER, HC_NOTIFY_REQUEST_FINISH,
		HC_SET_PTDEV_INTR, HC_RESET_PTDEV_INTR, HC_ASSIGN_PCIDEV, HC_DEASSIGN_PCIDEV,
		HC_ASSIGN_MMIODEV, HC_DEASSIGN_MMIODEV,
	};
	static const u64 vmids[] = { 1, VMM_MAX_POST_VMS, 0xFFFF, 0x10000, (1ULL << 32) | 0, ~0ULL };
	u64 gpa = fake_alloc(512);

	(void)state;
	fake_add_vm(0, VMM_VM_PAUSED, 1);	/* 0 exists; the ids above do not */
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		for (size_t j = 0; j < ARRAY_SIZE(vmids); j++)
			assert_fails(hc(ids[i], vmids[j], gpa), EINVAL);
}

static void test_destroy(void **state)
{
	static const enum vmm_vm_state ok[] = { VMM_VM_CREATED, VMM_VM_PAUSED, VMM_VM_STOPPED };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		fake_reset();
		fake_add_vm(2, ok[i], 1);
		assert_int_equal(hc(HC_DESTROY_VM, 2, 0), 0);
		assert_int_equal(fake_ncalls, 1);
		assert_int_equal(fake_calls[0].op, OP_DESTROY);
		assert_ptr_equal(fake_calls[0].vm, &fake_vms[2]);
		/* gone: a second destroy finds nothing */
		fake_ncalls = 0;
		assert_fails(hc(HC_DESTROY_VM, 2, 0), EINVAL);
	}
}

static void test_destroy_running(void **state)
{
	(void)state;
	fake_add_vm(2, VMM_VM_RUNNING, 1);
	assert_fails(hc(HC_DESTROY_VM, 2, 0), EBUSY);
	assert_true(fake_vms[2].present);
}

static void test_start(void **state)
{
	struct vm *vm = fake_add_vm(1, VMM_VM_CREATED, 1);

	(void)state;
	vm->ioreq_buf = SVC_RAM_BASE + 0x3000;
	assert_int_equal(hc(HC_START_VM, 1, 0), 0);
	assert_int_equal(fake_calls[0].op, OP_START);
	assert_int_equal(vm->state, VMM_VM_RUNNING);
	/* started is started */
	fake_ncalls = 0;
	assert_fails(hc(HC_START_VM, 1, 0), EBUSY);
}

static void test_start_needs_ioreq_buffer(void **state)
{
	(void)state;
	fake_add_vm(1, VMM_VM_CREATED, 1);
	assert_fails(hc(HC_START_VM, 1, 0), EINVAL);
	assert_int_equal(fake_vms[1].state, VMM_VM_CREATED);
}

static void test_start_wrong_state(void **state)
{
	static const enum vmm_vm_state bad[] = { VMM_VM_RUNNING, VMM_VM_PAUSED, VMM_VM_STOPPED };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct vm *vm = fake_add_vm(1, bad[i], 1);

		vm->ioreq_buf = SVC_RAM_BASE + 0x3000;
		assert_fails(hc(HC_START_VM, 1, 0), EBUSY);
		assert_int_equal(vm->state, bad[i]);
	}
}

static void test_start_vmm_fails(void **state)
{
	struct vm *vm = fake_add_vm(1, VMM_VM_CREATED, 1);

	(void)state;
	vm->ioreq_buf = SVC_RAM_BASE + 0x3000;
	fake_fail(OP_START, 0, -ENOMEM);
	assert_fails(hc(HC_START_VM, 1, 0), ENOMEM);
	assert_int_equal(vm->state, VMM_VM_CREATED);
}

static void test_pause(void **state)
{
	struct vm *vm;

	(void)state;
	vm = fake_add_vm(4, VMM_VM_RUNNING, 1);
	assert_int_equal(hc(HC_PAUSE_VM, 4, 0), 0);
	assert_int_equal(fake_calls[0].op, OP_PAUSE);
	assert_int_equal(vm->state, VMM_VM_PAUSED);
	/* a VM that stopped itself is paused so that it can be reset or destroyed */
	fake_reset();
	vm = fake_add_vm(4, VMM_VM_STOPPED, 1);
	assert_int_equal(hc(HC_PAUSE_VM, 4, 0), 0);
	assert_int_equal(fake_calls[0].op, OP_PAUSE);
	/* not running: nothing to do, and nothing done */
	fake_reset();
	fake_add_vm(4, VMM_VM_PAUSED, 1);
	assert_int_equal(hc(HC_PAUSE_VM, 4, 0), 0);
	fake_add_vm(5, VMM_VM_CREATED, 1);
	assert_int_equal(hc(HC_PAUSE_VM, 5, 0), 0);
	assert_no_change();
	assert_int_equal(fake_vms[5].state, VMM_VM_CREATED);
}

static void test_reset(void **state)
{
	static const enum vmm_vm_state ok[] = { VMM_VM_PAUSED, VMM_VM_STOPPED };
	static const enum vmm_vm_state bad[] = { VMM_VM_CREATED, VMM_VM_RUNNING };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		fake_reset();
		fake_add_vm(7, ok[i], 1);
		assert_int_equal(hc(HC_RESET_VM, 7, 0), 0);
		assert_int_equal(fake_calls[0].op, OP_RESET);
		assert_int_equal(fake_vms[7].state, VMM_VM_CREATED);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		fake_reset();
		fake_add_vm(7, bad[i], 1);
		assert_fails(hc(HC_RESET_VM, 7, 0), EBUSY);
		assert_int_equal(fake_vms[7].state, bad[i]);
	}
}

/* A protected-mode start state that passes every register check. */
static struct abi_vcpu_regs good_regs(u16 vcpu)
{
	struct abi_vcpu_regs r = { 0 };

	r.vcpu_id = vcpu;
	r.vcpu_regs.gprs.rbx = 0x6000;
	r.vcpu_regs.gprs.rax = 0x2BADB002;
	r.vcpu_regs.rip = 0x100000;
	r.vcpu_regs.cr0 = 0x11;		/* PE, ET */
	r.vcpu_regs.rflags = 0x2;
	r.vcpu_regs.cs_ar = 0xC09B;
	r.vcpu_regs.cs_limit = 0xFFFFFFFF;
	r.vcpu_regs.cs_sel = 0x10;
	r.vcpu_regs.gdt.limit = 0x1F;
	r.vcpu_regs.gdt.base = 0x5000;
	return r;
}

static void test_set_vcpu_regs(void **state)
{
	struct abi_vcpu_regs r = good_regs(1);

	(void)state;
	fake_add_vm(0, VMM_VM_CREATED, 2);
	assert_int_equal(hc(HC_SET_VCPU_REGS, 0, fake_put(&r, sizeof(r))), 0);
	assert_int_equal(fake_ncalls, 1);
	assert_int_equal(fake_calls[0].op, OP_SET_REGS);
	assert_int_equal(fake_calls[0].a, 1);
	assert_memory_equal(&fake_calls[0].regs, &r.vcpu_regs, sizeof(r.vcpu_regs));
}

static void test_set_vcpu_regs_state(void **state)
{
	struct abi_vcpu_regs r = good_regs(0);
	u64 gpa = fake_put(&r, sizeof(r));

	(void)state;
	fake_add_vm(0, VMM_VM_RUNNING, 2);
	assert_fails(hc(HC_SET_VCPU_REGS, 0, gpa), EBUSY);
	fake_vms[0].state = VMM_VM_STOPPED;
	assert_fails(hc(HC_SET_VCPU_REGS, 0, gpa), EBUSY);
	/* paused: START needs a RESET first, which starts the vCPUs afresh */
	fake_vms[0].state = VMM_VM_PAUSED;
	assert_fails(hc(HC_SET_VCPU_REGS, 0, gpa), EBUSY);
	assert_int_equal(fake_ncalls, 0);
}

static void test_set_vcpu_regs_bad(void **state)
{
	struct abi_vcpu_regs r;

	(void)state;
	fake_add_vm(0, VMM_VM_CREATED, 2);
	r = good_regs(2);		/* only vCPUs 0 and 1 */
	assert_fails(hc(HC_SET_VCPU_REGS, 0, fake_put(&r, sizeof(r))), EINVAL);
	r = good_regs(0xFFFF);
	assert_fails(hc(HC_SET_VCPU_REGS, 0, fake_put(&r, sizeof(r))), EINVAL);
	/* each reserved field */
	r = good_regs(0);
	r.reserved[2] = 1;
	assert_fails(hc(HC_SET_VCPU_REGS, 0, fake_put(&r, sizeof(r))), EINVAL);
	r = good_regs(0);
	r.vcpu_regs.reserved_64[3] = 1;
	assert_fails(hc(HC_SET_VCPU_REGS, 0, fake_put(&r, sizeof(r))), EINVAL);
	r = good_regs(0);
	r.vcpu_regs.reserved_32[0] = 0x80000000;
	assert_fails(hc(HC_SET_VCPU_REGS, 0, fake_put(&r, sizeof(r))), EINVAL);
	r = good_regs(0);
	r.vcpu_regs.gdt.reserved[1] = 1;
	assert_fails(hc(HC_SET_VCPU_REGS, 0, fake_put(&r, sizeof(r))), EINVAL);
	r = good_regs(0);
	r.vcpu_regs.idt.reserved[0] = 1;
	assert_fails(hc(HC_SET_VCPU_REGS, 0, fake_put(&r, sizeof(r))), EINVAL);
	/* an architecturally bad state (the rest: test_hcall_regs.c) */
	r = good_regs(0);
	r.vcpu_regs.rflags = 0;
	assert_fails(hc(HC_SET_VCPU_REGS, 0, fake_put(&r, sizeof(r))), EINVAL);
}

static void test_set_vcpu_regs_bad_gpa(void **state)
{
	struct abi_vcpu_regs r = good_regs(0);

	(void)state;
	fake_add_vm(0, VMM_VM_CREATED, 1);
	assert_fails(hc(HC_SET_VCPU_REGS, 0, 0), EFAULT);
	assert_fails(hc(HC_SET_VCPU_REGS, 0, SVC_RAM_BASE - 0x100), EFAULT);
	assert_fails(hc(HC_SET_VCPU_REGS, 0, fake_put_at_end(&r, sizeof(r), 1)), EFAULT);
	assert_int_equal(hc(HC_SET_VCPU_REGS, 0, fake_put_at_end(&r, sizeof(r), 0)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create),
		T(test_create_template_affinity),
		T(test_create_bad_fields),
		T(test_create_vcpu_limit),
		T(test_create_uuid_in_use),
		T(test_create_bad_gpa),
		T(test_create_vmm_fails),
		T(test_create_writeback_fails),
		T(test_vmid_checks),
		T(test_destroy),
		T(test_destroy_running),
		T(test_start),
		T(test_start_needs_ioreq_buffer),
		T(test_start_wrong_state),
		T(test_start_vmm_fails),
		T(test_pause),
		T(test_reset),
		T(test_set_vcpu_regs),
		T(test_set_vcpu_regs_state),
		T(test_set_vcpu_regs_bad),
		T(test_set_vcpu_regs_bad_gpa),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
