/*
 * MMIO devices moved between the Service VM and post-launched VMs
 * (vmm/vmm_mmio.c) against a fake EPT: who owns a board resource; an
 * assignment maps each resource uncached at the user GPA, takes it out of
 * the Service VM's EPT (flushed) and quiets its lines; a refused one
 * (not the Service VM's, an MSI sender, no slot, a map failing half way)
 * leaves every mapping as it was; deassignment and destruction put it back
 * where the scenario gave it to the Service VM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "vm.h"
#include "ept.h"
#include "vmm_internal.h"
#include "vmm.h"
#include "vm_unit.h"
#include "vmmio.h"

#define HPET_HPA	0xFED00000ULL	/* a 1 KiB range: its page moves */
#define DEV_HPA0	0xFE000000ULL	/* a device with two ranges */
#define DEV_HPA1	0xFE010000ULL
#define DEV_SVM_GPA0	0x80000000ULL	/* where the Service VM has them: not 1:1 */
#define DEV_SVM_GPA1	0x80010000ULL
#define PRE_HPA		0xFD000000ULL	/* a pre-launched VM's */
#define HV_HPA		0xFC000000ULL	/* no VM's */
#define MANY_HPA	0xE0000000ULL	/* the Service VM's, one page each */
#define NR_MANY		20		/* more than there are slots for moved resources */
#define USER_GPA	0xC0000000ULL

static struct board_res_range hpet_r = { HPET_HPA, 0x400 };
static struct board_res_range dev_r[2] = { { DEV_HPA0, 0x2000 }, { DEV_HPA1, 0x1000 } };
static struct board_res_range pre_r = { PRE_HPA, 0x1000 }, hv_r = { HV_HPA, 0x1000 };
static struct board_res_range many_r[NR_MANY];
static struct board_acpi_dev acpi[] = {
	{ .hid = "PNP0103", .nr_mmio = 1, .mmio = &hpet_r },
	{ .hid = "DEV0001", .nr_mmio = 2, .mmio = dev_r },
	{ .hid = "DEV0002", .nr_mmio = 1, .mmio = &pre_r },
	{ .hid = "DEV0003", .nr_mmio = 1, .mmio = &hv_r },
	{ .hid = "DEV0004", .nr_mmio = NR_MANY, .mmio = many_r },
};
static const struct board_config board = { .nr_acpi_devs = ARRAY_SIZE(acpi), .acpi_devs = acpi };
const struct scenario_config scenario = { .board_info = &board };

static struct vm_mmio_dev svm_mmio[3 + NR_MANY] = {
	{ HPET_HPA, HPET_HPA, 0x400, NULL },
	{ DEV_SVM_GPA0, DEV_HPA0, 0x2000, NULL },
	{ DEV_SVM_GPA1, DEV_HPA1, 0x1000, NULL },
};
static const struct vm_mmio_dev pre_mmio = { PRE_HPA, PRE_HPA, 0x1000, NULL };
static struct vm_config svm_cfg = { .name = "sos", .nr_mmio_devs = ARRAY_SIZE(svm_mmio), .mmio_devs = svm_mmio };
static const struct vm_config pre_cfg = { .name = "pre", .nr_mmio_devs = 1, .mmio_devs = &pre_mmio };

struct vm vms[CONFIG_MAX_VMS];
unsigned nr_vms = 2;
struct vm *service_vm = &vms[0];
static struct vm post_a, post_b;

/* ---- a fake EPT: the mappings of each VM ---- */
#define MAPS 64
static struct map { struct vm *vm; u64 gpa, hpa, size, prot; unsigned mt; } maps[MAPS];
static struct {
	unsigned nr_maps, flushes[2];	/* the Service VM's, a post VM's */
	u64 map_fail_gpa;		/* ept_map at this GPA fails (0: none does) */
	u64 msi_hpa;			/* vmmio_msi_check refuses this resource */
	unsigned irq_moves, irq_aways;
	struct { struct vm *vm; u64 hpa, size; bool away; } irq;
} ept;

static struct map *find_map(const struct vm *vm, u64 gpa)
{
	for (unsigned i = 0; i < ept.nr_maps; i++)
		if (maps[i].vm == vm && maps[i].gpa == gpa)
			return &maps[i];
	return NULL;
}

int ept_map(struct vm *vm, u64 gpa, u64 hpa, u64 size, u64 prot, unsigned memtype)
{
	if (gpa == ept.map_fail_gpa)
		return -ENOMEM;
	assert_null(find_map(vm, gpa));
	assert_true(ept.nr_maps < MAPS);
	maps[ept.nr_maps++] = (struct map){ vm, gpa, hpa, size, prot, memtype };
	return 0;
}

int ept_unmap(struct vm *vm, u64 gpa, u64 size)
{
	struct map *m = find_map(vm, gpa);

	if (m) {
		assert_int_equal(m->size, size);
		*m = maps[--ept.nr_maps];
	}
	return 0;
}

int vm_flush_ept(struct vm *vm)
{
	ept.flushes[vm == service_vm ? 0 : 1]++;
	return 0;
}

void isa_irq_mmio_moved(struct vm *vm, u64 hpa, u64 size, bool away)
{
	ept.irq_moves++;
	ept.irq_aways += away;
	ept.irq.vm = vm, ept.irq.hpa = hpa, ept.irq.size = size, ept.irq.away = away;
}

int vmmio_msi_check(const struct vm *vm, u64 hpa, u64 size)
{
	(void)vm;
	(void)size;
	return hpa == ept.msi_hpa ? -EPERM : 0;
}

/* The Service VM's EPT as the scenario builds it. */
static int setup(void **state)
{
	(void)state;
	vmm_mmio_release_all(&post_a);		/* the last test's moves, undone */
	vmm_mmio_release_all(&post_b);
	memset(&ept, 0, sizeof(ept));
	for (unsigned i = 0; i < NR_MANY; i++) {
		many_r[i] = (struct board_res_range){ MANY_HPA + i * PAGE_SIZE, PAGE_SIZE };
		svm_mmio[3 + i] = (struct vm_mmio_dev){ many_r[i].base, many_r[i].base, PAGE_SIZE, NULL };
	}
	vms[0].cfg = &svm_cfg;
	vms[0].name = "sos";
	vms[1].cfg = &pre_cfg;
	vms[1].name = "pre";
	post_a.name = "a";
	post_b.name = "b";
	for (unsigned i = 0; i < svm_cfg.nr_mmio_devs; i++) {
		struct page_span s = vmmio_page_span(svm_mmio[i].gpa, svm_mmio[i].hpa, svm_mmio[i].size);

		assert_int_equal(ept_map(service_vm, s.gpa, s.hpa, s.size, EPT_R | EPT_W, EPT_MT_UC), 0);
	}
	return 0;
}


static enum vmm_owner owner_of(u64 hpa, u64 size, struct vmm_mmiodev_info *info)
{
	assert_int_equal(vmm_mmiodev_lookup(hpa, size, info), 0);
	return info->owner;
}

static void assert_mapped(struct vm *vm, u64 gpa, u64 hpa, u64 size)
{
	const struct map *m = find_map(vm, gpa);

	assert_non_null(m);
	assert_int_equal(m->hpa, hpa);
	assert_int_equal(m->size, size);
	assert_int_equal(m->prot, EPT_R | EPT_W);
	assert_int_equal(m->mt, EPT_MT_UC);
}

static void test_lookup(void **state)
{
	struct vmm_mmiodev_info info;

	(void)state;
	assert_int_equal(owner_of(HPET_HPA, PAGE_SIZE, &info), VMM_OWNER_SERVICE);
	assert_int_equal(owner_of(DEV_HPA0, 0x2000, &info), VMM_OWNER_SERVICE);
	assert_int_equal(owner_of(PRE_HPA, PAGE_SIZE, &info), VMM_OWNER_PRE);
	assert_int_equal(owner_of(HV_HPA, PAGE_SIZE, &info), VMM_OWNER_HV);
	/* only a whole resource, as EPT maps it, is a device */
	assert_int_equal(vmm_mmiodev_lookup(DEV_HPA0, PAGE_SIZE, &info), -ENODEV);
	assert_int_equal(vmm_mmiodev_lookup(DEV_HPA0 + PAGE_SIZE, PAGE_SIZE, &info), -ENODEV);
	assert_int_equal(vmm_mmiodev_lookup(HPET_HPA, 0x400, &info), -ENODEV);
	assert_int_equal(vmm_mmiodev_lookup(0xF0000000, PAGE_SIZE, &info), -ENODEV);
}

static void test_assign_and_back(void **state)
{
	struct abi_mmiodev d = { .name = "TESTDEV1" };	/* 8 characters: no NUL */
	struct vmm_mmiodev_info info;
	unsigned before;

	(void)state;
	d.res[0] = (struct abi_mmiodev_res){ USER_GPA, DEV_HPA0, 0x2000, 0 };
	d.res[2] = (struct abi_mmiodev_res){ USER_GPA + 0x10000, DEV_HPA1, 0x1000, 0 };
	before = ept.nr_maps;
	assert_int_equal(vmm_assign_mmiodev(&post_a, &d), 0);
	/* the VM has both, uncached, at its GPAs; the Service VM neither, flushed */
	assert_mapped(&post_a, USER_GPA, DEV_HPA0, 0x2000);
	assert_mapped(&post_a, USER_GPA + 0x10000, DEV_HPA1, 0x1000);
	assert_null(find_map(service_vm, DEV_SVM_GPA0));
	assert_null(find_map(service_vm, DEV_SVM_GPA1));
	assert_int_equal(ept.nr_maps, before);
	assert_true(ept.flushes[0] >= 1);
	/* the Service VM's lines it raises go quiet */
	assert_int_equal(ept.irq_moves, 2);
	assert_ptr_equal(ept.irq.vm, service_vm);
	assert_int_equal(ept.irq.hpa, DEV_HPA1);
	assert_true(ept.irq.away);
	assert_int_equal(owner_of(DEV_HPA0, 0x2000, &info), VMM_OWNER_POST);
	assert_ptr_equal(info.owner_vm, &post_a);
	assert_int_equal(info.user_gpa, USER_GPA);
	/* its layout has them, another VM's does not */
	assert_true(vmm_mmio_moved_overlaps(&post_a, USER_GPA + 0x1000, 1));
	assert_true(vmm_mmio_moved_overlaps(&post_a, USER_GPA + 0xF000, 0x2000));
	assert_false(vmm_mmio_moved_overlaps(&post_a, USER_GPA + 0x2000, 0x1000));
	assert_false(vmm_mmio_moved_overlaps(&post_b, USER_GPA, 0x20000));

	/* another VM cannot give it back */
	assert_int_equal(vmm_deassign_mmiodev(&post_b, &d), 0);
	assert_int_equal(owner_of(DEV_HPA0, 0x2000, &info), VMM_OWNER_POST);
	assert_mapped(&post_a, USER_GPA, DEV_HPA0, 0x2000);

	ept.irq_moves = 0;
	assert_int_equal(vmm_deassign_mmiodev(&post_a, &d), 0);
	assert_null(find_map(&post_a, USER_GPA));
	assert_null(find_map(&post_a, USER_GPA + 0x10000));
	assert_int_equal(ept.flushes[1], 2);
	/* back where the scenario put them in the Service VM, lines too */
	assert_mapped(service_vm, DEV_SVM_GPA0, DEV_HPA0, 0x2000);
	assert_mapped(service_vm, DEV_SVM_GPA1, DEV_HPA1, 0x1000);
	assert_int_equal(ept.irq_moves, 2);
	assert_false(ept.irq.away);
	assert_int_equal(owner_of(DEV_HPA1, 0x1000, &info), VMM_OWNER_SERVICE);
	assert_false(vmm_mmio_moved_overlaps(&post_a, USER_GPA, 0x20000));
}

/* A refused assignment: every mapping as it was, the Service VM still the owner. */
static void assert_refused(struct vm *vm, const struct abi_mmiodev *d, int err)
{
	struct map before[MAPS];
	unsigned nr = ept.nr_maps;
	struct vmm_mmiodev_info info;

	memcpy(before, maps, sizeof(before));
	assert_int_equal(vmm_assign_mmiodev(vm, d), err);
	assert_int_equal(ept.nr_maps, nr);
	for (unsigned i = 0; i < nr; i++) {
		const struct map *m = find_map(before[i].vm, before[i].gpa);

		assert_non_null(m);
		assert_int_equal(m->hpa, before[i].hpa);
	}
	assert_int_equal(ept.irq_aways, 0);	/* the Service VM keeps the lines it raises */
	for (unsigned i = 0; i < ABI_MMIODEV_RES_NUM; i++)
		if (d->res[i].size && !vmm_mmiodev_lookup(d->res[i].service_vm_pa, d->res[i].size, &info))
			assert_int_not_equal(info.owner, VMM_OWNER_POST);
	assert_false(vmm_mmio_moved_overlaps(vm, 0, ~0ULL));
}

static void test_assign_refused(void **state)
{
	struct abi_mmiodev d = { .name = "x" };

	(void)state;
	/* not a board resource, or not the Service VM's to give */
	d.res[0] = (struct abi_mmiodev_res){ USER_GPA, 0xF0000000, PAGE_SIZE, 0 };
	assert_refused(&post_a, &d, -ENODEV);
	d.res[0].service_vm_pa = PRE_HPA;
	assert_refused(&post_a, &d, -ENODEV);
	d.res[0].service_vm_pa = HV_HPA;
	assert_refused(&post_a, &d, -ENODEV);
	/* a good first resource does not move when the second is refused */
	d.res[0] = (struct abi_mmiodev_res){ USER_GPA, HPET_HPA, PAGE_SIZE, 0 };
	d.res[1] = (struct abi_mmiodev_res){ USER_GPA + PAGE_SIZE, PRE_HPA, PAGE_SIZE, 0 };
	assert_refused(&post_a, &d, -ENODEV);
	/* a device that sends MSIs of its own, without interrupt remapping */
	memset(&d.res[1], 0, sizeof(d.res[1]));
	ept.msi_hpa = HPET_HPA;
	assert_refused(&post_a, &d, -EPERM);
}

static void test_map_fails_half_way(void **state)
{
	struct abi_mmiodev d = { .name = "x" };

	(void)state;
	d.res[0] = (struct abi_mmiodev_res){ USER_GPA, DEV_HPA0, 0x2000, 0 };
	d.res[1] = (struct abi_mmiodev_res){ USER_GPA + 0x10000, DEV_HPA1, 0x1000, 0 };
	ept.map_fail_gpa = USER_GPA + 0x10000;	/* the first resource moves, the second cannot */
	assert_refused(&post_a, &d, -ENOMEM);
	assert_mapped(service_vm, DEV_SVM_GPA0, DEV_HPA0, 0x2000);
	assert_null(find_map(&post_a, USER_GPA));
}

static void test_no_slot_left(void **state)
{
	struct abi_mmiodev d = { .name = "many" };
	unsigned moved = 0;
	int ret = 0;

	(void)state;
	/* one page at a time until the table of moved resources is full */
	for (unsigned i = 0; i < NR_MANY && !ret; i++) {
		d.res[0] = (struct abi_mmiodev_res){ USER_GPA + i * PAGE_SIZE, many_r[i].base, PAGE_SIZE, 0 };
		ret = vmm_assign_mmiodev(i % 2 ? &post_b : &post_a, &d);
		moved += !ret;
	}
	assert_int_equal(ret, -ENOSPC);
	assert_true(moved >= 1 && moved < NR_MANY);
	/* the refused one stays the Service VM's */
	assert_mapped(service_vm, many_r[moved].base, many_r[moved].base, PAGE_SIZE);
	/* destruction of one VM frees its slots, and only its resources go back */
	vmm_mmio_release_all(&post_a);
	assert_false(vmm_mmio_moved_overlaps(&post_a, 0, ~0ULL));
	assert_true(vmm_mmio_moved_overlaps(&post_b, USER_GPA + PAGE_SIZE, PAGE_SIZE));
	assert_mapped(service_vm, many_r[0].base, many_r[0].base, PAGE_SIZE);
	assert_null(find_map(service_vm, many_r[1].base));
	ept.irq_moves = 0;
	assert_int_equal(vmm_assign_mmiodev(&post_a, &d), 0);
	assert_mapped(&post_a, d.res[0].user_vm_pa, many_r[moved].base, PAGE_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_lookup, setup),
		cmocka_unit_test_setup(test_assign_and_back, setup),
		cmocka_unit_test_setup(test_assign_refused, setup),
		cmocka_unit_test_setup(test_map_fails_half_way, setup),
		cmocka_unit_test_setup(test_no_slot_left, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
