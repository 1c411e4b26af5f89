/*
 * Post-launched VMs' life cycle (vmm/vm_post.c) with a fake build and fake
 * pCPUs: which pCPUs the template may use (not a boot VM's, not one a live
 * post-launched VM holds); CREATE's slot, name, ids and EPT budget, and its
 * refusals that take no slot; START puts each vCPU on its pCPU and kicks
 * it, refused while one of the last run is still there; PAUSE, RESET and
 * DESTROY, and RESET refused, changing nothing, while a vCPU has not left.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "lapic.h"
#include "percpu.h"
#include "vmm_internal.h"
#include "vmm.h"

#define GB (1ULL << 30)

u64 tsc_khz = 1;
struct pcpu pcpus[CONFIG_MAX_CPUS];
unsigned nr_pcpus = 6;
static struct vm_config cfgs[] = {
	{ .name = "sos", .kind = VM_SERVICE, .cpu_affinity = 0x3 },
	{ .name = "user", .kind = VM_POST_LAUNCHED, .cpu_affinity = 0x3C, .template_mem_size = GB },
};
const struct scenario_config scenario = { .nr_vms = 2, .vms = cfgs };

static struct vm boot_vm;
static struct vcpu boot_vcpus[2], vcpus[VMM_MAX_POST_VMS][CONFIG_MAX_CPUS];
static struct {
	int build_err, reset_err;
	bool stays;			/* vCPUs do not leave their pCPUs when kicked */
	bool no_vcpus;			/* the build makes none (they hold no pCPU) */
	unsigned builds, unbuilds, resets, kicks, stops;
	u64 affinity;
} fk;

/* One vCPU per pCPU of the affinity, as vm_build makes them. */
int vm_build(struct vm *vm, u64 affinity)
{
	fk.builds++;
	fk.affinity = affinity;
	if (fk.build_err)
		return fk.build_err;
	for (unsigned cpu = 0; cpu < 64 && !fk.no_vcpus; cpu++)
		if (affinity & BIT(cpu)) {
			struct vcpu *v = &vcpus[vm->vmid][vm->nr_vcpus];

			memset(v, 0, sizeof(*v));
			v->vm = vm;
			v->id = vm->nr_vcpus;
			v->pcpu = &pcpus[cpu];
			vm->vcpus[vm->nr_vcpus++] = v;
		}
	return 0;
}

void vm_unbuild(struct vm *vm) { (void)vm; fk.unbuilds++; }
int vm_reset_build(struct vm *vm) { (void)vm; fk.resets++; return fk.reset_err; }

void vm_stop(struct vm *vm, const char *fmt, ...)
{
	(void)fmt;
	fk.stops++;
	vm->state = VM_STOPPED;
}

void lapic_send_ipi(u32 apic_id, u8 vector)
{
	(void)apic_id;
	assert_int_equal(vector, KICK_VECTOR);
	fk.kicks++;
}

/* The kicked vCPUs leave their pCPUs (vcpu_leave_pcpu), unless told to stay. */
int vm_kick_until(struct vm *vm, bool (*done)(const struct vcpu *v, u64 arg), u64 arg,
		  unsigned timeout_ms, unsigned *late)
{
	(void)timeout_ms;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		if (!fk.stays && v->pcpu->vcpu == v) {
			v->pcpu->vcpu = NULL;
			vm->nr_active_vcpus--;
		}
		if (!done(v, arg)) {
			*late = i;
			return -ETIMEDOUT;
		}
	}
	return 0;
}

static int setup(void **state)
{
	(void)state;
	for (unsigned i = 0; i < VMM_MAX_POST_VMS; i++)
		if (post_vms[i].post)
			vm_post_destroy(&post_vms[i]);
	memset(&fk, 0, sizeof(fk));
	memset(pcpus, 0, sizeof(pcpus));
	for (unsigned i = 0; i < CONFIG_MAX_CPUS; i++)
		pcpus[i].id = i, pcpus[i].apic_id = 2 * i;
	/* the Service VM's vCPUs on pCPUs 0 and 1 */
	memset(&boot_vm, 0, sizeof(boot_vm));
	for (unsigned i = 0; i < 2; i++) {
		boot_vcpus[i].vm = &boot_vm;
		pcpus[i].vcpu = &boot_vcpus[i];
	}
	return 0;
}

static struct vmm_vm_params params(u64 affinity)
{
	struct vmm_vm_params p = { .vm_flag = ABI_VM_FLAG_IO_COMPLETION_POLLING, .cpu_affinity = affinity };

	memset(p.uuid, 0xAB, sizeof(p.uuid));
	return p;
}

static void test_pcpu_mask(void **state)
{
	(void)state;
	assert_int_equal(vm_post_pcpu_mask(), 0x3C);
	/* the template's CPUs the machine has */
	nr_pcpus = 4;
	assert_int_equal(vm_post_pcpu_mask(), 0xC);
	nr_pcpus = 6;
	/* a Service VM vCPU on a template CPU holds it until SOS_REMOVE_CPU */
	cfgs[1].cpu_affinity = 0x3E;
	assert_int_equal(vm_post_pcpu_mask(), 0x3C);
	assert_false(vm_is_post_pcpu(1));
	pcpus[1].vcpu = NULL;
	assert_int_equal(vm_post_pcpu_mask(), 0x3E);
	assert_true(vm_is_post_pcpu(1));
	cfgs[1].cpu_affinity = 0x3C;
	assert_false(vm_is_post_pcpu(0));
}

static void test_create(void **state)
{
	struct vmm_vm_params p = params(0);
	struct vm *vm;
	u16 vmid = 0xFFFF;

	(void)state;
	assert_int_equal(vm_post_create(&p, &vmid), 0);
	assert_int_equal(vmid, 0);
	vm = &post_vms[0];
	assert_int_equal(fk.affinity, 0x3C);		/* the template's CPUs */
	assert_int_equal(vm->nr_vcpus, 4);
	assert_string_equal(vm->name, "user-0");
	assert_ptr_equal(vm->cfg, &cfgs[1]);
	assert_int_equal(vm->id, CONFIG_MAX_VMS);	/* VPIDs apart from the boot VMs' */
	assert_true(vm->post);
	assert_int_equal(vm->state, VM_CREATED);
	assert_int_equal(vm->vm_flag, ABI_VM_FLAG_IO_COMPLETION_POLLING);
	assert_memory_equal(vm->uuid, p.uuid, 16);
	/* 4 KiB pages for its 1 GiB: 512 tables, one directory, and some more */
	assert_int_equal(vm->ept_page_limit, 512 + 1 + 64);
}

static void test_create_refused(void **state)
{
	struct vmm_vm_params p = params(0x4);
	u16 vmid = 0xFFFF;

	(void)state;
	/* a CPU outside the template, or a boot VM's */
	p.cpu_affinity = 0x40;
	assert_int_equal(vm_post_create(&p, &vmid), -EBUSY);
	p.cpu_affinity = 0x6;
	assert_int_equal(vm_post_create(&p, &vmid), -EBUSY);
	assert_int_equal(fk.builds, 0);
	/* one another post-launched VM holds */
	p.cpu_affinity = 0x4;
	assert_int_equal(vm_post_create(&p, &vmid), 0);
	p.cpu_affinity = 0xC;
	assert_int_equal(vm_post_create(&p, &vmid), -EBUSY);
	p.cpu_affinity = 0x8;
	assert_int_equal(vm_post_create(&p, &vmid), 0);
	assert_int_equal(vmid, 1);
	/* the build fails: the slot is free again, and zeroed */
	p.cpu_affinity = 0x10;
	fk.build_err = -ENOMEM;
	assert_int_equal(vm_post_create(&p, &vmid), -ENOMEM);
	assert_false(post_vms[2].post);
	assert_int_equal(post_vms[2].nr_vcpus, 0);
	fk.build_err = 0;
	assert_int_equal(vm_post_create(&p, &vmid), 0);
	assert_int_equal(vmid, 2);
	/* no template in the scenario */
	cfgs[1].kind = VM_PRE_LAUNCHED;
	p.cpu_affinity = 0x20;
	assert_int_equal(vm_post_create(&p, &vmid), -ENODEV);
	cfgs[1].kind = VM_POST_LAUNCHED;
}

static void test_no_slot_left(void **state)
{
	struct vmm_vm_params p = params(0);
	u16 vmid;

	(void)state;
	fk.no_vcpus = true;		/* so that no CPU runs out first */
	for (unsigned i = 0; i < VMM_MAX_POST_VMS; i++) {
		assert_int_equal(vm_post_create(&p, &vmid), 0);
		assert_int_equal(vmid, i);
	}
	assert_int_equal(vm_post_create(&p, &vmid), -ENOSPC);
	assert_int_equal(fk.builds, VMM_MAX_POST_VMS);
	/* destroy frees a slot */
	vm_post_destroy(&post_vms[5]);
	assert_int_equal(fk.unbuilds, 1);
	assert_false(post_vms[5].post);
	assert_int_equal(vm_post_create(&p, &vmid), 0);
	assert_int_equal(vmid, 5);
	assert_string_equal(post_vms[5].name, "user-5");
}

/* A post-launched VM on the template's CPUs in mask, created and started. */
static struct vm *started_vm(u64 mask)
{
	struct vmm_vm_params p = params(mask);
	struct vm *vm;
	u16 vmid;

	assert_int_equal(vm_post_create(&p, &vmid), 0);
	vm = &post_vms[vmid];
	assert_int_equal(vm_post_start(vm), 0);
	return vm;
}

static void test_start_pause(void **state)
{
	struct vm *vm = started_vm(0xC);

	(void)state;
	assert_int_equal(vm->state, VM_RUNNING);
	assert_int_equal(vm->nr_active_vcpus, 2);
	assert_int_equal(fk.kicks, 2);
	for (unsigned i = 0; i < 2; i++) {
		assert_ptr_equal(vm->vcpus[i]->pcpu->vcpu, vm->vcpus[i]);
		assert_int_equal(vm->vcpus[i]->state, VCPU_WAIT_SIPI);
	}
	assert_ptr_equal(pcpus[2].vcpu, vm->vcpus[0]);
	/* its own vCPUs do not take its CPUs from the template's mask */
	assert_int_equal(vm_post_pcpu_mask(), 0x3C);
	/* paused: they leave */
	assert_int_equal(vm_post_pause(vm), 0);
	assert_int_equal(vm->state, VM_PAUSED);
	assert_null(pcpus[2].vcpu);
	assert_int_equal(vm->nr_active_vcpus, 0);
	/* a stopped VM is as good as paused; a created one stays created */
	vm->state = VM_STOPPED;
	assert_int_equal(vm_post_pause(vm), 0);
	assert_int_equal(vm->state, VM_PAUSED);
	vm->state = VM_CREATED;
	assert_int_equal(vm_post_pause(vm), 0);
	assert_int_equal(vm->state, VM_CREATED);
	/* paused with a vCPU that does not leave: PAUSE still succeeds, START waits for it */
	assert_int_equal(vm_post_start(vm), 0);
	fk.stays = true;
	assert_int_equal(vm_post_pause(vm), 0);
	assert_int_equal(vm->state, VM_PAUSED);
	fk.kicks = 0;
	assert_int_equal(vm_post_start(vm), -EBUSY);
	assert_int_equal(vm->state, VM_PAUSED);
	assert_int_equal(fk.kicks, 0);
}

static void test_reset(void **state)
{
	struct vm *vm = started_vm(0x4);

	(void)state;
	vm->state = VM_STOPPED;
	strcpy(vm->stop_reason, "triple fault");
	/* a vCPU still on its pCPU: refused, nothing rebuilt */
	fk.stays = true;
	assert_int_equal(vm_post_reset(vm), -ETIMEDOUT);
	assert_int_equal(fk.resets, 0);
	assert_int_equal(vm->state, VM_STOPPED);
	assert_int_equal(vm_post_wait_left(vm), -ETIMEDOUT);
	/* it left, but its count has not dropped yet: still refused (after the time-out) */
	pcpus[2].vcpu = NULL;
	assert_int_equal(vm_post_reset(vm), -ETIMEDOUT);
	vm->nr_active_vcpus = 0;
	fk.stays = false;
	assert_int_equal(vm_post_reset(vm), 0);
	assert_int_equal(fk.resets, 1);
	assert_int_equal(vm->state, VM_CREATED);
	assert_string_equal(vm->stop_reason, "");
	/* no memory for fresh vCPUs: refused, the VM as it was */
	vm->state = VM_PAUSED;
	fk.reset_err = -ENOMEM;
	assert_int_equal(vm_post_reset(vm), -ENOMEM);
	assert_int_equal(fk.stops, 0);
	assert_int_equal(vm->state, VM_PAUSED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_pcpu_mask, setup),
		cmocka_unit_test_setup(test_create, setup),
		cmocka_unit_test_setup(test_create_refused, setup),
		cmocka_unit_test_setup(test_no_slot_left, setup),
		cmocka_unit_test_setup(test_start_pause, setup),
		cmocka_unit_test_setup(test_reset, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
