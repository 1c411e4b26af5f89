/* Hypercalls, ioreq group: SET_IOREQ_BUFFER and NOTIFY_REQUEST_FINISH. */
#include "hcall_fake.h"

#define BUF_GPA		(SVC_RAM_BASE + 0x20000)	/* page-aligned, in RAM */

static u64 buf_param(u64 buf)
{
	struct abi_ioreq_buffer b = { .ioreq_buf = buf };

	return fake_put(&b, sizeof(b));
}

static void test_set_ioreq_buffer(void **state)
{
	struct vm *vm = fake_add_vm(2, VMM_VM_CREATED, 1);

	(void)state;
	assert_int_equal(hc(HC_SET_IOREQ_BUFFER, 2, buf_param(BUF_GPA)), 0);
	assert_int_equal(fake_ncalls, 1);
	assert_int_equal(fake_calls[0].op, OP_SET_IOREQ);
	assert_int_equal(fake_calls[0].a, BUF_GPA);
	assert_int_equal(vm->ioreq_buf, BUF_GPA);
	/* the last page of RAM is as good as any */
	assert_int_equal(hc(HC_SET_IOREQ_BUFFER, 2, buf_param(SVC_RAM_END - PAGE_SIZE)), 0);
}

static void test_set_ioreq_buffer_bad(void **state)
{
	(void)state;
	fake_add_vm(2, VMM_VM_CREATED, 1);
	/* unaligned */
	assert_fails(hc(HC_SET_IOREQ_BUFFER, 2, buf_param(BUF_GPA + 0x100)), EINVAL);
	assert_fails(hc(HC_SET_IOREQ_BUFFER, 2, buf_param(BUF_GPA + 8)), EINVAL);
	/* not Service VM RAM: hypervisor memory above it, below it, nowhere */
	assert_fails(hc(HC_SET_IOREQ_BUFFER, 2, buf_param(SVC_RAM_END)), EFAULT);
	assert_fails(hc(HC_SET_IOREQ_BUFFER, 2, buf_param(SVC_RAM_BASE - PAGE_SIZE)), EFAULT);
	assert_fails(hc(HC_SET_IOREQ_BUFFER, 2, buf_param(0)), EFAULT);
	assert_fails(hc(HC_SET_IOREQ_BUFFER, 2, buf_param(~0ULL & ~0xFFFULL)), EFAULT);
	assert_fails(hc(HC_SET_IOREQ_BUFFER, 2, buf_param(VMM_NO_IOREQ_BUFFER)), EINVAL);
	/* the parameter itself unreadable */
	assert_fails(hc(HC_SET_IOREQ_BUFFER, 2, 0), EFAULT);
	assert_fails(hc(HC_SET_IOREQ_BUFFER, 2, SVC_RAM_END - 4), EFAULT);
	assert_int_equal(fake_vms[2].ioreq_buf, VMM_NO_IOREQ_BUFFER);
}

static void test_set_ioreq_buffer_state(void **state)
{
	static const enum vmm_vm_state bad[] = { VMM_VM_RUNNING, VMM_VM_PAUSED, VMM_VM_STOPPED };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct vm *vm = fake_add_vm(2, bad[i], 1);

		vm->ioreq_buf = BUF_GPA;
		assert_fails(hc(HC_SET_IOREQ_BUFFER, 2, buf_param(BUF_GPA + PAGE_SIZE)), EBUSY);
		assert_int_equal(vm->ioreq_buf, BUF_GPA);
	}
}

static void test_set_ioreq_buffer_vmm_error(void **state)
{
	(void)state;
	fake_add_vm(2, VMM_VM_CREATED, 1);
	fake_fail(OP_SET_IOREQ, 0, -ENOMEM);
	assert_fails(hc(HC_SET_IOREQ_BUFFER, 2, buf_param(BUF_GPA)), ENOMEM);
}

static void set_slot_state(unsigned vcpu, u32 st)
{
	u64 gpa = BUF_GPA + vcpu * sizeof(struct abi_io_request) +
		  offsetof(struct abi_io_request, processed);

	fake_write(gpa, &st, sizeof(st));
}

static struct vm *running_vm(unsigned nr_vcpus)
{
	struct vm *vm = fake_add_vm(1, VMM_VM_RUNNING, nr_vcpus);

	vm->ioreq_buf = BUF_GPA;
	for (unsigned i = 0; i < ABI_IO_REQUEST_MAX; i++)
		set_slot_state(i, ABI_IOREQ_STATE_PROCESSING);
	return vm;
}

static void test_notify(void **state)
{
	(void)state;
	running_vm(4);
	set_slot_state(3, ABI_IOREQ_STATE_COMPLETE);
	assert_int_equal(hc(HC_NOTIFY_REQUEST_FINISH, 1, 3), 0);
	assert_int_equal(fake_ncalls, 1);
	assert_int_equal(fake_calls[0].op, OP_NOTIFY);
	assert_ptr_equal(fake_calls[0].vm, &fake_vms[1]);
	assert_int_equal(fake_calls[0].a, 3);
	/* the Service VM may complete while the VM is paused or has stopped */
	fake_vms[1].state = VMM_VM_PAUSED;
	set_slot_state(0, ABI_IOREQ_STATE_COMPLETE);
	assert_int_equal(hc(HC_NOTIFY_REQUEST_FINISH, 1, 0), 0);
	fake_vms[1].state = VMM_VM_STOPPED;
	assert_int_equal(hc(HC_NOTIFY_REQUEST_FINISH, 1, 0), 0);
	assert_int_equal(fake_count(OP_NOTIFY), 3);
}

/* The VMM refuses a stray notify (hcall_fake.c as vmm/ioreq.c): the refusal reaches the caller. */
static void test_notify_slot_not_complete(void **state)
{
	static const u32 states[] = {
		ABI_IOREQ_STATE_PENDING, ABI_IOREQ_STATE_PROCESSING, ABI_IOREQ_STATE_FREE, 7,
	};

	(void)state;
	running_vm(2);
	for (size_t i = 0; i < ARRAY_SIZE(states); i++) {
		set_slot_state(1, states[i]);
		assert_fails(hc(HC_NOTIFY_REQUEST_FINISH, 1, 1), EINVAL);
	}
}

static void test_notify_bad(void **state)
{
	struct vm *vm = running_vm(2);

	(void)state;
	for (unsigned i = 0; i < ABI_IO_REQUEST_MAX; i++)
		set_slot_state(i, ABI_IOREQ_STATE_COMPLETE);
	/* vCPU out of range */
	assert_fails(hc(HC_NOTIFY_REQUEST_FINISH, 1, 2), EINVAL);
	assert_fails(hc(HC_NOTIFY_REQUEST_FINISH, 1, 16), EINVAL);
	assert_fails(hc(HC_NOTIFY_REQUEST_FINISH, 1, 1ULL << 32), EINVAL);
	assert_fails(hc(HC_NOTIFY_REQUEST_FINISH, 1, ~0ULL), EINVAL);
	/* no vCPU has run yet */
	vm->state = VMM_VM_CREATED;
	assert_fails(hc(HC_NOTIFY_REQUEST_FINISH, 1, 0), EBUSY);
	/* no buffer */
	vm->state = VMM_VM_RUNNING;
	vm->ioreq_buf = VMM_NO_IOREQ_BUFFER;
	assert_fails(hc(HC_NOTIFY_REQUEST_FINISH, 1, 0), EINVAL);
}

static void test_notify_vmm_error(void **state)
{
	(void)state;
	running_vm(1);
	set_slot_state(0, ABI_IOREQ_STATE_COMPLETE);
	fake_fail(OP_NOTIFY, 0, -EIO);
	assert_fails(hc(HC_NOTIFY_REQUEST_FINISH, 1, 0), EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_set_ioreq_buffer),
		T(test_set_ioreq_buffer_bad),
		T(test_set_ioreq_buffer_state),
		T(test_set_ioreq_buffer_vmm_error),
		T(test_notify),
		T(test_notify_slot_not_complete),
		T(test_notify_bad),
		T(test_notify_vmm_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
