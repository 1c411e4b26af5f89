/* Hypercalls, IRQ group: INJECT_MSI and SET_IRQLINE. */
#include "hcall_fake.h"

static u64 msi(u64 addr, u64 data)
{
	struct abi_msi_entry e = { .msi_addr = addr, .msi_data = data };

	return fake_put(&e, sizeof(e));
}

static void test_inject_msi(void **state)
{
	static const enum vmm_vm_state states[] = {
		VMM_VM_CREATED, VMM_VM_RUNNING, VMM_VM_PAUSED, VMM_VM_STOPPED,
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(states); i++) {
		fake_reset();
		fake_add_vm(3, states[i], 2);
		/* dest 1, physical, fixed, vector 0x41, edge */
		assert_int_equal(hc(HC_INJECT_MSI, 3, msi(0xFEE01000, 0x41)), 0);
		assert_int_equal(fake_ncalls, 1);
		assert_int_equal(fake_calls[0].op, OP_MSI);
		assert_ptr_equal(fake_calls[0].vm, &fake_vms[3]);
		assert_int_equal(fake_calls[0].a, 0xFEE01000);
		assert_int_equal(fake_calls[0].b, 0x41);
	}
}

static void test_inject_msi_modes(void **state)
{
	(void)state;
	fake_add_vm(0, VMM_VM_RUNNING, 2);
	/* lowest priority, logical, level-asserted */
	assert_int_equal(hc(HC_INJECT_MSI, 0, msi(0xFEEFF00C, 0xC1F0)), 0);
	/* NMI: the vector does not matter */
	assert_int_equal(hc(HC_INJECT_MSI, 0, msi(0xFEE00000, 0x400)), 0);
	assert_int_equal(fake_count(OP_MSI), 2);
	assert_int_equal(fake_calls[0].b, 0xC1F0);
}

static void test_inject_msi_bad_address(void **state)
{
	static const u64 addrs[] = {
		0, 0xFED00000, 0xFEF00000, 0xFFE00000, 0x7EE00000,
		0x1FEE00000ULL, 0xFEE00000ULL | (1ULL << 40),	/* above 4 GiB */
		0xFEE00010, 0xFEE00800,				/* bits 11:4 reserved */
	};

	(void)state;
	fake_add_vm(0, VMM_VM_RUNNING, 1);
	for (size_t i = 0; i < ARRAY_SIZE(addrs); i++)
		assert_fails(hc(HC_INJECT_MSI, 0, msi(addrs[i], 0x41)), EINVAL);
}

static void test_inject_msi_bad_data(void **state)
{
	static const u64 data[] = {
		0x000F,			/* fixed, vector 15 */
		0x0100,			/* lowest priority, vector 0 */
		0x0241,			/* SMI */
		0x0341,			/* reserved mode */
		0x0541,			/* INIT */
		0x0641,			/* reserved mode */
		0x0741,			/* ExtINT */
		0x0841, 0x2041,		/* reserved bits 13:11 */
		0x10041, 1ULL << 32,	/* bits 63:16 */
	};

	(void)state;
	fake_add_vm(0, VMM_VM_RUNNING, 1);
	for (size_t i = 0; i < ARRAY_SIZE(data); i++)
		assert_fails(hc(HC_INJECT_MSI, 0, msi(0xFEE00000, data[i])), EINVAL);
}

static void test_inject_msi_bad_gpa(void **state)
{
	struct abi_msi_entry e = { 0xFEE00000, 0x41 };

	(void)state;
	fake_add_vm(0, VMM_VM_RUNNING, 1);
	assert_fails(hc(HC_INJECT_MSI, 0, 0), EFAULT);
	assert_fails(hc(HC_INJECT_MSI, 0, SVC_RAM_BASE - 16), EFAULT);
	assert_fails(hc(HC_INJECT_MSI, 0, SVC_RAM_BASE - 8), EFAULT);
	assert_fails(hc(HC_INJECT_MSI, 0, fake_put_at_end(&e, sizeof(e), 4)), EFAULT);
	assert_fails(hc(HC_INJECT_MSI, 0, ~0ULL - 7), EFAULT);
}

static void test_inject_msi_vmm_error(void **state)
{
	(void)state;
	fake_add_vm(0, VMM_VM_RUNNING, 1);
	fake_fail(OP_MSI, 0, -EIO);
	assert_fails(hc(HC_INJECT_MSI, 0, msi(0xFEE00000, 0x41)), EIO);
}

static u64 irqline(u32 gsi, u32 op)
{
	return ((u64)op << 32) | gsi;
}

static void test_set_irqline(void **state)
{
	(void)state;
	fake_add_vm(5, VMM_VM_CREATED, 1);	/* device models set lines before start */
	assert_int_equal(hc(HC_SET_IRQLINE, 5, irqline(4, ABI_GSI_SET_HIGH)), 0);
	assert_int_equal(hc(HC_SET_IRQLINE, 5, irqline(0, ABI_GSI_SET_LOW)), 0);
	assert_int_equal(hc(HC_SET_IRQLINE, 5, irqline(FAKE_GSI_COUNT - 1, ABI_GSI_RAISING_PULSE)), 0);
	assert_int_equal(hc(HC_SET_IRQLINE, 5, irqline(23, ABI_GSI_FALLING_PULSE)), 0);
	assert_int_equal(fake_ncalls, 4);
	assert_int_equal(fake_calls[0].op, OP_IRQLINE);
	assert_int_equal(fake_calls[0].a, 4);
	assert_int_equal(fake_calls[0].b, ABI_GSI_SET_HIGH);
	assert_int_equal(fake_calls[1].b, ABI_GSI_SET_LOW);
	assert_int_equal(fake_calls[2].a, FAKE_GSI_COUNT - 1);
	assert_int_equal(fake_calls[2].b, ABI_GSI_RAISING_PULSE);
	assert_int_equal(fake_calls[3].b, ABI_GSI_FALLING_PULSE);
}

static void test_set_irqline_bad(void **state)
{
	(void)state;
	fake_add_vm(5, VMM_VM_RUNNING, 1);
	assert_fails(hc(HC_SET_IRQLINE, 5, irqline(FAKE_GSI_COUNT, 0)), EINVAL);
	assert_fails(hc(HC_SET_IRQLINE, 5, irqline(0xFFFFFFFF, 0)), EINVAL);
	assert_fails(hc(HC_SET_IRQLINE, 5, irqline(4, 4)), EINVAL);
	assert_fails(hc(HC_SET_IRQLINE, 5, irqline(4, 0xFFFFFFFF)), EINVAL);
	fake_fail(OP_IRQLINE, 0, -EIO);
	assert_fails(hc(HC_SET_IRQLINE, 5, irqline(4, 0)), EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_inject_msi),
		T(test_inject_msi_modes),
		T(test_inject_msi_bad_address),
		T(test_inject_msi_bad_data),
		T(test_inject_msi_bad_gpa),
		T(test_inject_msi_vmm_error),
		T(test_set_irqline),
		T(test_set_irqline_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
