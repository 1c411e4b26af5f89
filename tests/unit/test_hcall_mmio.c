/*
 * Hypercalls, PCI group: ASSIGN/DEASSIGN_MMIODEV. The board has an MMIO
 * device with two resources (0xFED40000, 20 KiB; 0xFED50000, 4 KiB).
 */
#include "hcall_fake.h"

#define RES0_HPA	0xFED40000ULL
#define RES0_SIZE	0x5000ULL
#define RES1_HPA	0xFED50000ULL
#define RES1_SIZE	0x1000ULL
#define GPA0		0xF0000000ULL
#define GPA1		0xF0010000ULL

static void board(enum vmm_owner owner)
{
	fake_add_mmiodev(RES0_HPA, RES0_SIZE, owner);
	fake_add_mmiodev(RES1_HPA, RES1_SIZE, owner);
}

static struct abi_mmiodev dev2(void)
{
	struct abi_mmiodev d = { .name = "MSFT0101" };	/* 8 chars, no NUL: allowed */

	d.res[0] = (struct abi_mmiodev_res){ GPA0, RES0_HPA, RES0_SIZE, 0 };
	d.res[1] = (struct abi_mmiodev_res){ GPA1, RES1_HPA, RES1_SIZE, ABI_MEM_TYPE_UC };
	return d;
}

static u64 put(struct abi_mmiodev d)
{
	return fake_put(&d, sizeof(d));
}

static void test_assign(void **state)
{
	struct abi_mmiodev d = dev2();

	(void)state;
	fake_add_vm(2, VMM_VM_CREATED, 1);
	board(VMM_OWNER_SERVICE);
	assert_int_equal(hc(HC_ASSIGN_MMIODEV, 2, put(d)), 0);
	assert_int_equal(fake_ncalls, 1);
	assert_int_equal(fake_calls[0].op, OP_ASSIGN_MMIO);
	assert_ptr_equal(fake_calls[0].vm, &fake_vms[2]);
	assert_memory_equal(&fake_calls[0].mmiodev, &d, sizeof(d));
	assert_int_equal(fake_mmiodevs[0].info.owner, VMM_OWNER_POST);
	assert_int_equal(fake_mmiodevs[1].info.user_gpa, GPA1);
	/* twice: the resources are this VM's now */
	fake_ncalls = 0;
	assert_fails(hc(HC_ASSIGN_MMIODEV, 2, put(d)), EBUSY);
}

static void test_assign_one_resource(void **state)
{
	struct abi_mmiodev d = dev2();

	(void)state;
	fake_add_vm(2, VMM_VM_CREATED, 1);
	board(VMM_OWNER_SERVICE);
	d.res[0] = d.res[1];
	memset(&d.res[1], 0, sizeof(d.res[1]));
	assert_int_equal(hc(HC_ASSIGN_MMIODEV, 2, put(d)), 0);
	assert_int_equal(fake_mmiodevs[0].info.owner, VMM_OWNER_SERVICE);
	assert_int_equal(fake_mmiodevs[1].info.owner, VMM_OWNER_POST);
}

static void test_assign_wrong_state(void **state)
{
	static const enum vmm_vm_state bad[] = { VMM_VM_RUNNING, VMM_VM_PAUSED, VMM_VM_STOPPED };

	(void)state;
	board(VMM_OWNER_SERVICE);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		fake_add_vm(2, bad[i], 1);
		assert_fails(hc(HC_ASSIGN_MMIODEV, 2, put(dev2())), EBUSY);
	}
}

static void test_assign_owners(void **state)
{
	(void)state;
	fake_add_vm(2, VMM_VM_CREATED, 1);
	assert_fails(hc(HC_ASSIGN_MMIODEV, 2, put(dev2())), ENODEV);	/* unknown */
	board(VMM_OWNER_PRE);
	assert_fails(hc(HC_ASSIGN_MMIODEV, 2, put(dev2())), EPERM);
	fake_mmiodevs[0].info.owner = VMM_OWNER_SERVICE;
	fake_mmiodevs[1].info.owner = VMM_OWNER_HV;
	assert_fails(hc(HC_ASSIGN_MMIODEV, 2, put(dev2())), EPERM);
	fake_mmiodevs[1].info.owner = VMM_OWNER_POST;
	fake_mmiodevs[1].info.owner_vm = &fake_vms[5];
	assert_fails(hc(HC_ASSIGN_MMIODEV, 2, put(dev2())), EBUSY);
	assert_int_equal(fake_mmiodevs[0].info.owner, VMM_OWNER_SERVICE);
}

static void check_bad(struct abi_mmiodev d, int err)
{
	assert_fails(hc(HC_ASSIGN_MMIODEV, 2, put(d)), err);
}

static void test_assign_bad_resources(void **state)
{
	struct abi_mmiodev d;

	(void)state;
	fake_add_vm(2, VMM_VM_CREATED, 1);
	board(VMM_OWNER_SERVICE);
	memset(&d, 0, sizeof(d));
	check_bad(d, EINVAL);				/* nothing to assign */
	d = dev2(); d.res[2].user_vm_pa = 0x1000;	/* unused resource not all zero */
	check_bad(d, EINVAL);
	d = dev2(); d.res[2].service_vm_pa = RES1_HPA;
	check_bad(d, EINVAL);
	d = dev2(); d.res[2].mem_type = ABI_MEM_TYPE_UC;
	check_bad(d, EINVAL);
	d = dev2(); d.res[0].user_vm_pa += 0x10;	/* unaligned */
	check_bad(d, EINVAL);
	d = dev2(); d.res[0].service_vm_pa += 0x800;
	check_bad(d, EINVAL);
	d = dev2(); d.res[0].size = 0x4800;
	check_bad(d, EINVAL);
	d = dev2(); d.res[0].mem_type = ABI_MEM_TYPE_WB;	/* registers are never cached */
	check_bad(d, EINVAL);
	d = dev2(); d.res[0].mem_type = 6;
	check_bad(d, EINVAL);
	d = dev2(); d.res[0].user_vm_pa = FAKE_GPA_LIMIT - 0x1000;	/* past the GPA limit */
	check_bad(d, EINVAL);
	d = dev2(); d.res[0].user_vm_pa = 0xFFFFFFFFFFFFF000ULL;	/* wraps */
	check_bad(d, EINVAL);
	d = dev2(); d.res[0].service_vm_pa = 0xFFFFFFFFFFFFF000ULL;
	check_bad(d, EINVAL);
	d = dev2(); d.res[1].user_vm_pa = GPA0 + 0x4000;	/* overlaps res[0] in the VM */
	check_bad(d, EINVAL);
	d = dev2(); d.res[2] = d.res[1];			/* the same resource twice */
	d.res[2].user_vm_pa = 0xF0020000;
	check_bad(d, EINVAL);
	d = dev2(); d.res[0].size = 0x4000;			/* not the whole resource */
	check_bad(d, ENODEV);
	d = dev2(); d.res[0].service_vm_pa = SVC_RAM_BASE;	/* RAM is not a device */
	check_bad(d, ENODEV);
}

static void test_assign_gpa_in_use(void **state)
{
	struct abi_mmiodev d = dev2();

	(void)state;
	fake_add_vm(2, VMM_VM_CREATED, 1);
	board(VMM_OWNER_SERVICE);
	fake_add_map(&fake_vms[2], GPA1, PAGE_SIZE, MAP_RAM);
	check_bad(d, EEXIST);
	d.res[1].user_vm_pa = FAKE_IOAPIC_BASE;
	check_bad(d, EEXIST);
}

static void test_assign_bad_gpa(void **state)
{
	struct abi_mmiodev d = dev2();

	(void)state;
	fake_add_vm(2, VMM_VM_CREATED, 1);
	board(VMM_OWNER_SERVICE);
	assert_fails(hc(HC_ASSIGN_MMIODEV, 2, 0), EFAULT);
	assert_fails(hc(HC_ASSIGN_MMIODEV, 2, fake_put_at_end(&d, sizeof(d), 24)), EFAULT);
	fake_fail(OP_ASSIGN_MMIO, 0, -ENOMEM);
	assert_fails(hc(HC_ASSIGN_MMIODEV, 2, put(d)), ENOMEM);
	assert_int_equal(fake_mmiodevs[0].info.owner, VMM_OWNER_SERVICE);
}

static void assigned(enum vmm_vm_state st)
{
	fake_add_vm(2, st, 1);
	board(VMM_OWNER_POST);
	fake_mmiodevs[0].info.owner_vm = &fake_vms[2];
	fake_mmiodevs[0].info.user_gpa = GPA0;
	fake_mmiodevs[1].info.owner_vm = &fake_vms[2];
	fake_mmiodevs[1].info.user_gpa = GPA1;
}

static void test_deassign(void **state)
{
	static const enum vmm_vm_state ok[] = { VMM_VM_CREATED, VMM_VM_PAUSED };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		fake_reset();
		assigned(ok[i]);
		assert_int_equal(hc(HC_DEASSIGN_MMIODEV, 2, put(dev2())), 0);
		assert_int_equal(fake_ncalls, 1);
		assert_int_equal(fake_calls[0].op, OP_DEASSIGN_MMIO);
		assert_int_equal(fake_mmiodevs[0].info.owner, VMM_OWNER_SERVICE);
		fake_ncalls = 0;
		assert_fails(hc(HC_DEASSIGN_MMIODEV, 2, put(dev2())), ENODEV);
	}
}

static void test_deassign_bad(void **state)
{
	static const enum vmm_vm_state bad[] = { VMM_VM_RUNNING, VMM_VM_STOPPED };
	struct abi_mmiodev d;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		fake_reset();
		assigned(bad[i]);
		assert_fails(hc(HC_DEASSIGN_MMIODEV, 2, put(dev2())), EBUSY);
	}
	fake_reset();
	assigned(VMM_VM_PAUSED);
	d = dev2(); d.res[1].user_vm_pa = 0xF0020000;		/* not where it is */
	assert_fails(hc(HC_DEASSIGN_MMIODEV, 2, put(d)), ENODEV);
	d = dev2(); d.res[0].service_vm_pa = 0xFED60000;	/* unknown */
	assert_fails(hc(HC_DEASSIGN_MMIODEV, 2, put(d)), ENODEV);
	d = dev2(); d.res[2] = d.res[1];
	assert_fails(hc(HC_DEASSIGN_MMIODEV, 2, put(d)), EINVAL);
	d = dev2(); d.res[0].size = 0;
	assert_fails(hc(HC_DEASSIGN_MMIODEV, 2, put(d)), EINVAL);	/* half-empty resource */
	memset(&d, 0, sizeof(d));
	assert_fails(hc(HC_DEASSIGN_MMIODEV, 2, put(d)), EINVAL);
	assert_fails(hc(HC_DEASSIGN_MMIODEV, 2, SVC_RAM_END - 1), EFAULT);
	/* another VM's */
	fake_add_vm(3, VMM_VM_PAUSED, 1);
	assert_fails(hc(HC_DEASSIGN_MMIODEV, 3, put(dev2())), ENODEV);
	assert_int_equal(fake_mmiodevs[0].info.owner, VMM_OWNER_POST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_assign),
		T(test_assign_one_resource),
		T(test_assign_wrong_state),
		T(test_assign_owners),
		T(test_assign_bad_resources),
		T(test_assign_gpa_in_use),
		T(test_assign_bad_gpa),
		T(test_deassign),
		T(test_deassign_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
