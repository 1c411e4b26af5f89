/*
 * Building a VM (vmm/vm_build.c) with the real EPT and fake device units
 * and VT-d: the core (bitmaps, RAM in the EPT, DMA domain, vCPUs one per
 * pCPU of the affinity, the BSP on the lowest), then the units of the VM's
 * kind in order; a failure anywhere undoes what was built, units in
 * reverse and not the one that failed, and leaves no page behind; a
 * post-launched VM's reset (fresh vCPUs on the same pCPUs, units reset);
 * the DMA protection unit (the policy, the domain, blocked on release).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "mm.h"
#include "percpu.h"
#include "fake_pages.h"
#include "vmm_internal.h"
#include "vm_unit.h"
#include "vtd.h"

#define MB (1ULL << 20)

struct pcpu pcpus[CONFIG_MAX_CPUS];
unsigned nr_pcpus = 4;
static const struct pio_handler floating;
const struct io_fallback io_fallback_none = { &floating, NULL, NULL };
void invept_single(u64 eptp) { (void)eptp; }

static struct {
	char log[128];			/* unit calls in order: "I3" init of unit 3, "R3", "Z3" reset */
	int fail_unit;			/* this unit's init fails (-1: none) */
	int irq_err, map_vm_err, assign_err;
	bool vtd, ir, no_domain;
	unsigned domains, vioapic_inits, blocks;
	u16 blocked[8];
} fk;
static char domain;

static void note(char what, unsigned unit)
{
	size_t n = strlen(fk.log);

	assert_true(n + 2 < sizeof(fk.log));
	fk.log[n] = what;
	fk.log[n + 1] = (char)('0' + unit);
}

/* The ten units of vm_build.c's list, by the names it uses; unit 1 and 2 are no boot VM's. */
#define FAKE_UNIT(n, var, k)									\
	static int init_##n(struct vm *vm) { (void)vm; note('I', n); return fk.fail_unit == n ? -EIO : 0; } \
	static void reset_##n(struct vm *vm) { (void)vm; note('Z', n); }				\
	static void release_##n(struct vm *vm) { (void)vm; note('R', n); }				\
	const struct vm_unit var = { .name = #var, .kinds = k, .init = init_##n,			\
				      .reset = reset_##n, .release = release_##n };
FAKE_UNIT(0, vmmio_unit, UNIT_BOOT_VMS)
FAKE_UNIT(1, ioreq_unit, UNIT_POST_VMS)
FAKE_UNIT(2, vuart_unit, UNIT_POST_VMS)
FAKE_UNIT(3, vpm_unit, UNIT_ALL_VMS)
FAKE_UNIT(4, rtc_pt_unit, UNIT_BOOT_VMS)
FAKE_UNIT(5, vrtc_unit, UNIT_BOOT_VMS)
FAKE_UNIT(6, vpci_unit, UNIT_ALL_VMS)
FAKE_UNIT(7, ptirq_unit, UNIT_ALL_VMS)
FAKE_UNIT(8, isa_irq_unit, UNIT_BOOT_VMS)

int vm_irq_init(struct vm *vm) { (void)vm; return fk.irq_err; }
void vioapic_init(struct vioapic *v, struct vlapic_group *g, u8 id) { (void)v; (void)g; (void)id; fk.vioapic_inits++; }
bool vtd_active(void) { return fk.vtd; }
bool vtd_ir_active(void) { return fk.ir; }
struct vtd_domain *vtd_domain_create(const char *name)
{
	(void)name;
	if (fk.no_domain)
		return NULL;
	fk.domains++;
	return (struct vtd_domain *)&domain;
}
int vtd_domain_destroy(struct vtd_domain *d) { assert_ptr_equal(d, &domain); fk.domains--; return 0; }
int vtd_domain_map_vm(struct vtd_domain *d, const struct vm_config *vc) { (void)d; (void)vc; return fk.map_vm_err; }
int vtd_device_assign(struct vtd_domain *d, u16 bdf) { (void)d; return bdf == 0x20 ? fk.assign_err : 0; }
int vtd_device_block(u16 bdf) { fk.blocked[fk.blocks++ % 8] = bdf; return 0; }

static struct vm vm;
static struct vm_config cfg;
static struct vm_pci_dev pci[2] = { { .pbdf = 0x18 }, { .pbdf = 0x20 } };

static int setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	fk.fail_unit = -1;
	fk.vtd = fk.ir = true;
	memset(pcpus, 0, sizeof(pcpus));
	for (unsigned i = 0; i < CONFIG_MAX_CPUS; i++)
		pcpus[i].id = i;
	memset(&vm, 0, sizeof(vm));
	memset(&cfg, 0, sizeof(cfg));
	cfg.kind = VM_PRE_LAUNCHED;
	vm.cfg = &cfg;
	vm.name = "vm";
	/* RAM: the build maps the table into the EPT */
	vm.ram.nr = 1;
	vm.ram.r[0] = (struct vm_mem_range){ .gpa = 0, .hpa = 0x40000000, .size = 4 * MB };
	fake_page_budget = -1;
	return 0;
}

/* Nothing of a failed or undone build stays: pages, the domain. */
static void assert_nothing_left(void)
{
	assert_int_equal(fake_pages_outstanding, 0);
	assert_int_equal(fk.domains, 0);
	assert_int_equal(vm.nr_vcpus, 0);
	assert_null(vm.io_bitmap);
	assert_null(vm.msr_bitmap);
	assert_null(vm.dma_domain);
}

static void test_boot_vm(void **state)
{
	u64 hpa;
	u32 serial;

	(void)state;
	assert_int_equal(vm_build(&vm, 0xA), 0);	/* pCPUs 1 and 3 */
	/* the boot VMs' units, in order */
	assert_string_equal(fk.log, "I0I3I4I5I6I7I8");
	assert_int_equal(vm.nr_vcpus, 2);
	assert_int_equal(vm.vcpus[0]->pcpu->id, 1);	/* the BSP on the lowest */
	assert_int_equal(vm.vcpus[1]->pcpu->id, 3);
	assert_int_equal(vm.vcpus[1]->id, 1);
	assert_int_equal(vm.vcpus[0]->state, VCPU_WAIT_SIPI);
	assert_true(vm.vcpus[0]->vlapic.apic_base & BIT(8));		/* BSP flag */
	assert_false(vm.vcpus[1]->vlapic.apic_base & BIT(8));
	assert_ptr_equal(vm.vcpus[1]->vlapic.priv, vm.vcpus[1]);
	assert_int_equal(vm.nr_active_vcpus, 2);
	assert_ptr_equal(vm.fallback, &io_fallback_none);
	/* every port exits until a handler says otherwise */
	for (unsigned i = 0; i < 2 * PAGE_SIZE; i++)
		assert_int_equal(vm.io_bitmap[i], 0xff);
	assert_true(ept_translate(&vm, 0x1000, PAGE_SIZE, EPT_R | EPT_W | EPT_X, &hpa));
	assert_int_equal(hpa, 0x40001000);
	assert_ptr_equal(vm.dma_domain, &domain);
	serial = vm.serial;
	/* undone: units released in reverse, then the core */
	memset(fk.log, 0, sizeof(fk.log));
	vm_unbuild(&vm);
	assert_string_equal(fk.log, "R8R7R6R5R4R3R0");
	assert_nothing_left();
	/* a rebuild is a new VM for IBPB */
	assert_int_equal(vm_build(&vm, 0x1), 0);
	assert_int_not_equal(vm.serial, serial);
	vm_unbuild(&vm);
}

static void test_unit_fails(void **state)
{
	(void)state;
	fk.fail_unit = 6;
	assert_int_equal(vm_build(&vm, 0x1), -EIO);
	/* the failed unit left nothing itself: the ones before it are released */
	assert_string_equal(fk.log, "I0I3I4I5I6R5R4R3R0");
	assert_nothing_left();
	/* the first unit failing: nothing to release */
	memset(fk.log, 0, sizeof(fk.log));
	fk.fail_unit = 0;
	assert_int_equal(vm_build(&vm, 0x1), -EIO);
	assert_string_equal(fk.log, "I0");
	assert_nothing_left();
}

static void test_core_fails(void **state)
{
	static struct vm other;
	static struct vcpu theirs = { .vm = &other };

	(void)state;
	other.name = "other";
	/* a CPU the machine does not have, one a boot VM runs on, none at all */
	assert_int_equal(vm_build(&vm, BIT(4)), -ENODEV);
	assert_nothing_left();
	pcpus[2].vcpu = &theirs;
	assert_int_equal(vm_build(&vm, 0x6), -EBUSY);
	assert_nothing_left();
	assert_int_equal(vm_build(&vm, 0), -EINVAL);
	assert_nothing_left();
	/* no VT-d domain, its RAM not mapped for DMA, the interrupt controllers */
	fk.no_domain = true;
	assert_int_equal(vm_build(&vm, 0x1), -ENOMEM);
	assert_nothing_left();
	fk.no_domain = false;
	fk.map_vm_err = -ENOMEM;
	assert_int_equal(vm_build(&vm, 0x1), -ENOMEM);
	assert_nothing_left();
	fk.map_vm_err = 0;
	fk.irq_err = -ENOSPC;
	assert_int_equal(vm_build(&vm, 0x1), -ENOSPC);
	assert_nothing_left();
	fk.irq_err = 0;
	/* out of pages, at each allocation in turn */
	for (int budget = 0; budget < 6; budget++) {
		fake_page_budget = budget;
		assert_int_equal(vm_build(&vm, 0x3), -ENOMEM);
		assert_nothing_left();
	}
	assert_string_equal(fk.log, "");		/* no unit saw any of these */
	/* without VT-d: no domain, built all the same */
	fake_page_budget = -1;
	fk.vtd = false;
	assert_int_equal(vm_build(&vm, 0x1), 0);
	assert_null(vm.dma_domain);
	vm_unbuild(&vm);
	assert_nothing_left();
}

static void test_post_vm_and_reset(void **state)
{
	static struct vm sos;
	static struct vcpu theirs = { .vm = &sos };

	(void)state;
	cfg.kind = VM_POST_LAUNCHED;
	vm.post = true;
	vm.ram.nr = 0;				/* RAM comes by hypercall */
	pcpus[2].vcpu = &theirs;		/* a post-launched VM's vCPUs take their pCPU at START */
	assert_int_equal(vm_build(&vm, 0xC), 0);
	assert_string_equal(fk.log, "I1I2I3I6I7");
	assert_int_equal(vm.vcpus[0]->state, VCPU_STOPPED);
	assert_int_equal(vm.nr_active_vcpus, 0);
	assert_ptr_equal(vm.dma_domain, &domain);	/* empty until regions are mapped */
	/* reset: fresh vCPUs on the same pCPUs, the vIOAPIC and every unit back to power-on */
	memset(fk.log, 0, sizeof(fk.log));
	vm.vcpus[1]->state = VCPU_RUNNING;
	vm.vcpus[1]->vlapic.apic_base = 0;
	assert_int_equal(vm_reset_build(&vm), 0);
	assert_int_equal(vm.nr_vcpus, 2);
	assert_int_equal(vm.vcpus[0]->pcpu->id, 2);
	assert_int_equal(vm.vcpus[1]->pcpu->id, 3);
	assert_int_equal(vm.vcpus[1]->state, VCPU_STOPPED);
	assert_true(vm.vcpus[1]->vlapic.apic_base & BIT(11));	/* enabled, as at power-on */
	assert_int_equal(fk.vioapic_inits, 1);
	assert_string_equal(fk.log, "Z1Z2Z3Z6Z7");	/* its kind's units, in build order */
	/* out of pages for the new vCPUs, at the first or the second: the VM keeps its own */
	for (int budget = 0; budget < 2; budget++) {
		struct vcpu *before[2] = { vm.vcpus[0], vm.vcpus[1] };

		memset(fk.log, 0, sizeof(fk.log));
		vm.vcpus[1]->state = VCPU_RUNNING;
		fake_page_budget = budget;
		assert_int_equal(vm_reset_build(&vm), -ENOMEM);
		fake_page_budget = -1;
		assert_int_equal(vm.nr_vcpus, 2);
		assert_ptr_equal(vm.vcpus[0], before[0]);
		assert_ptr_equal(vm.vcpus[1], before[1]);
		assert_int_equal(vm.vcpus[1]->state, VCPU_RUNNING);
		assert_ptr_equal(vm.lapics.vlapic[1], &before[1]->vlapic);
		assert_string_equal(fk.log, "");		/* no unit reset */
	}
	vm_unbuild(&vm);
	assert_nothing_left();
	vm.post = false;
}

static void test_dma_protect(void **state)
{
	(void)state;
	cfg.pci_devs = pci;
	cfg.nr_pci_devs = 2;
	assert_int_equal(dma_protect_unit.init(&vm), 0);	/* no domain: the policy only */
	vm.dma_domain = (struct vtd_domain *)&domain;
	assert_int_equal(dma_protect_unit.init(&vm), 0);
	dma_protect_unit.release(&vm);
	assert_int_equal(fk.blocks, 2);
	assert_int_equal(fk.blocked[1], 0x20);
	/* the second cannot join the domain: the first is blocked again */
	fk.blocks = 0;
	fk.assign_err = -EIO;
	assert_int_equal(dma_protect_unit.init(&vm), -EIO);
	assert_int_equal(fk.blocks, 1);
	assert_int_equal(fk.blocked[0], 0x18);
	fk.assign_err = 0;
	/* no interrupt remapping: refused, unless the VM is marked unprotected-dma */
	fk.ir = false;
	fk.blocks = 0;
	assert_int_equal(dma_protect_unit.init(&vm), -EPERM);
	assert_int_equal(fk.blocks, 0);
	cfg.flags = VM_FLAG_UNPROTECTED_DMA;
	assert_int_equal(dma_protect_unit.init(&vm), 0);
	/* no domain: nothing to block */
	vm.dma_domain = NULL;
	fk.blocks = 0;
	dma_protect_unit.release(&vm);
	assert_int_equal(fk.blocks, 0);
	assert_false(dma_protect_unit.kinds & BIT(VM_POST_LAUNCHED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_boot_vm, setup),
		cmocka_unit_test_setup(test_unit_fails, setup),
		cmocka_unit_test_setup(test_core_fails, setup),
		cmocka_unit_test_setup(test_post_vm_and_reset, setup),
		cmocka_unit_test_setup(test_dma_protect, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
