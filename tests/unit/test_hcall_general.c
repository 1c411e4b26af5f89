/*
 * Hypercalls: the entry checks, the table (unknown ids, callers other than
 * the Service VM) and the general group (API version, callback vector,
 * SOS_REMOVE_CPU), against the fake VMM (hcall_fake.c).
 */
#include "hcall_fake.h"

static void test_entry_privilege(void **state)
{
	(void)state;
	assert_int_equal(hcall_entry_check(true, 0), HCALL_ENTRY_OK);
	assert_int_equal(hcall_entry_check(true, 3), HCALL_ENTRY_GP);
	assert_int_equal(hcall_entry_check(true, 1), HCALL_ENTRY_GP);
	/* no right: #UD whatever the CPL */
	assert_int_equal(hcall_entry_check(false, 0), HCALL_ENTRY_UD);
	assert_int_equal(hcall_entry_check(false, 3), HCALL_ENTRY_UD);
}

static void test_unknown_ids(void **state)
{
	static const u64 ids[] = {
		0, 1, 0x80000003, 0x80000014, 0x80000017, 0x80000020, 0x80000041,
		0x80000043, 0x80000052, 0x8000005B, 0x80000081, 0x81000000,
		0x0000000080000000ULL | (1ULL << 32), ~0ULL,
		/* ABI ids this hypervisor does not provide */
		HC_VM_INTR_MONITOR, HC_CREATE_VDEV, HC_DESTROY_VDEV, HC_PM_GET_CPU_STATE,
	};
	u64 gpa = fake_alloc(64);

	(void)state;
	fake_add_vm(0, VMM_VM_CREATED, 1);
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		assert_int_equal(hc(ids[i], 0, gpa), -ENOSYS);
		assert_null(hcall_name(ids[i]));
	}
	assert_no_change();
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(hcall_name(HC_GET_API_VERSION), "HC_GET_API_VERSION");
	assert_string_equal(hcall_name(HC_ASSIGN_PCIDEV), "HC_ASSIGN_PCIDEV");
	assert_string_equal(hcall_name(HC_VM_SET_MEMORY_REGIONS), "HC_VM_SET_MEMORY_REGIONS");
}

/* Every known hypercall refuses a caller that is not the Service VM. */
static void test_not_privileged(void **state)
{
	static const u64 ids[] = {
		HC_GET_API_VERSION, HC_SOS_REMOVE_CPU, HC_SET_CALLBACK_VECTOR, HC_CREATE_VM,
		HC_DESTROY_VM, HC_START_VM, HC_PAUSE_VM, HC_RESET_VM, HC_SET_VCPU_REGS,
		HC_INJECT_MSI, HC_SET_IRQLINE, HC_SET_IOREQ_BUFFER, HC_NOTIFY_REQUEST_FINISH,
		HC_VM_SET_MEMORY_REGIONS, HC_SET_PTDEV_INTR, HC_RESET_PTDEV_INTR,
		HC_ASSIGN_PCIDEV, HC_DEASSIGN_PCIDEV, HC_ASSIGN_MMIODEV, HC_DEASSIGN_MMIODEV,
	};
	struct vm *post = fake_add_vm(0, VMM_VM_PAUSED, 1);
	u64 gpa = fake_alloc(64);

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		assert_non_null(hcall_name(ids[i]));
		assert_int_equal(hcall_dispatch(&fake_pre, ids[i], 0, gpa), -EPERM);
		assert_int_equal(hcall_dispatch(post, ids[i], 0, gpa), -EPERM);
		/* unknown stays unknown only for the Service VM */
	}
	assert_int_equal(hcall_dispatch(&fake_pre, 0x80000003, 0, 0), -EPERM);
	assert_no_change();
	assert_int_equal(post->state, VMM_VM_PAUSED);
}

static void test_api_version(void **state)
{
	struct abi_api_version v = { 0xdead, 0xbeef };
	u64 gpa = fake_put(&v, sizeof(v));

	(void)state;
	assert_int_equal(hc(HC_GET_API_VERSION, gpa, 0), 0);
	fake_get(gpa, &v, sizeof(v));
	assert_int_equal(v.major_version, 1);
	assert_int_equal(v.minor_version, 0);
	assert_int_equal(fake_ncalls, 1);
	assert_int_equal(fake_calls[0].op, OP_COPY_TO);
	assert_int_equal(fake_calls[0].b, 8);
}

static void test_api_version_unaligned_ok(void **state)
{
	u64 gpa = fake_alloc(16) + 3;
	struct abi_api_version v;

	(void)state;
	/* the ABI asks no alignment of parameter structures */
	assert_int_equal(hc(HC_GET_API_VERSION, gpa, 0), 0);
	fake_get(gpa, &v, sizeof(v));
	assert_int_equal(v.major_version, 1);
}

static void test_api_version_bad_gpa(void **state)
{
	(void)state;
	assert_fails(hc(HC_GET_API_VERSION, 0, 0), EFAULT);
	assert_fails(hc(HC_GET_API_VERSION, SVC_RAM_BASE - 8, 0), EFAULT);
	assert_fails(hc(HC_GET_API_VERSION, SVC_RAM_END, 0), EFAULT);
	assert_fails(hc(HC_GET_API_VERSION, ~0ULL - 3, 0), EFAULT);
	/* straddling the start and the end of RAM */
	assert_fails(hc(HC_GET_API_VERSION, SVC_RAM_BASE - 4, 0), EFAULT);
	assert_fails(hc(HC_GET_API_VERSION, SVC_RAM_END - 4, 0), EFAULT);
	/* exactly at the end fits */
	assert_int_equal(hc(HC_GET_API_VERSION, SVC_RAM_END - 8, 0), 0);
}

static void test_callback_vector(void **state)
{
	(void)state;
	assert_int_equal(hc(HC_SET_CALLBACK_VECTOR, 0xF3, 0), 0);
	assert_int_equal(hc(HC_SET_CALLBACK_VECTOR, 0x20, 0), 0);
	assert_int_equal(hc(HC_SET_CALLBACK_VECTOR, 0xFF, 0), 0);
	assert_int_equal(fake_ncalls, 3);
	assert_int_equal(fake_calls[0].op, OP_CALLBACK);
	assert_ptr_equal(fake_calls[0].vm, &fake_service);
	assert_int_equal(fake_calls[0].a, 0xF3);
	assert_int_equal(fake_calls[1].a, 0x20);
	assert_int_equal(fake_calls[2].a, 0xFF);
}

static void test_callback_vector_range(void **state)
{
	(void)state;
	assert_fails(hc(HC_SET_CALLBACK_VECTOR, 0, 0), EINVAL);
	assert_fails(hc(HC_SET_CALLBACK_VECTOR, 0x1F, 0), EINVAL);
	assert_fails(hc(HC_SET_CALLBACK_VECTOR, 0x100, 0), EINVAL);
	assert_fails(hc(HC_SET_CALLBACK_VECTOR, 0x1000000F3ULL, 0), EINVAL);
	assert_fails(hc(HC_SET_CALLBACK_VECTOR, ~0ULL, 0), EINVAL);
}

static void test_callback_vector_vmm_error(void **state)
{
	(void)state;
	fake_fail(OP_CALLBACK, 0, -EIO);
	assert_fails(hc(HC_SET_CALLBACK_VECTOR, 0xF3, 0), EIO);
}

static void test_remove_cpu(void **state)
{
	(void)state;
	/* LAPIC id 4 is the Service VM's vCPU 2 */
	assert_int_equal(hc(HC_SOS_REMOVE_CPU, 4, 0), 0);
	assert_int_equal(fake_ncalls, 1);
	assert_int_equal(fake_calls[0].op, OP_REMOVE_VCPU);
	assert_int_equal(fake_calls[0].a, 2);
}

static void test_remove_cpu_bad(void **state)
{
	(void)state;
	assert_fails(hc(HC_SOS_REMOVE_CPU, 0, 0), EINVAL);	/* vCPU 0 stays */
	assert_fails(hc(HC_SOS_REMOVE_CPU, 1, 0), EINVAL);	/* no such LAPIC */
	assert_fails(hc(HC_SOS_REMOVE_CPU, 8, 0), EINVAL);
	assert_fails(hc(HC_SOS_REMOVE_CPU, (1ULL << 32) | 4, 0), EINVAL);
	fake_fail(OP_REMOVE_VCPU, 0, -EBUSY);
	assert_fails(hc(HC_SOS_REMOVE_CPU, 2, 0), EBUSY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_entry_privilege),
		T(test_unknown_ids),
		T(test_names),
		T(test_not_privileged),
		T(test_api_version),
		T(test_api_version_unaligned_ok),
		T(test_api_version_bad_gpa),
		T(test_callback_vector),
		T(test_callback_vector_range),
		T(test_callback_vector_vmm_error),
		T(test_remove_cpu),
		T(test_remove_cpu_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
