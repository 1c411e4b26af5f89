/*
 * Which VMs own agents that may DMA around the caches (vmm/vm_dma_agents.c):
 * the WBINVD exit (vmm/vmexit_wbinvd.c) flushes for them and is a no-op for
 * the rest; either way the instruction is skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "vm.h"
#include "vmm_internal.h"
#include "x86.h"
#include "fake_vmcs.h"

static const struct vpci_vdev_ops some_ops;
static const struct pci_pdev some_pdev;
static unsigned flushes;

void cpu_wbinvd(void) { flushes++; }

static void test_by_config(void **state)
{
	static struct vm vm;
	struct vm_config cfg = { .kind = VM_PRE_LAUNCHED };
	struct vm_pci_dev pci = { 0 };
	struct vm_mmio_dev mmio = { 0 };

	(void)state;
	memset(&vm, 0, sizeof(vm));
	vm.cfg = &cfg;
	/* a pre-launched VM with no devices: nothing but CPUs touches its memory */
	assert_false(vm_owns_dma_agents(&vm));
	cfg.nr_pci_devs = 1;
	cfg.pci_devs = &pci;
	assert_true(vm_owns_dma_agents(&vm));
	cfg.nr_pci_devs = 0;
	cfg.nr_mmio_devs = 1;
	cfg.mmio_devs = &mmio;
	assert_true(vm_owns_dma_agents(&vm));
	/* the Service VM owns every device left, whatever its configuration lists */
	memset(&cfg, 0, sizeof(cfg));
	cfg.kind = VM_SERVICE;
	assert_true(vm_owns_dma_agents(&vm));
}

static void test_assigned_at_run_time(void **state)
{
	static struct vm vm;
	struct vm_config cfg = { .kind = VM_POST_LAUNCHED };

	(void)state;
	memset(&vm, 0, sizeof(vm));
	vm.cfg = &cfg;
	/* emulated functions only (host bridge, its own virtual devices) */
	vm.vpci.nr_vdevs = 2;
	vm.vpci.vdev[0].ops = &some_ops;
	vm.vpci.vdev[1].ops = &some_ops;
	assert_false(vm_owns_dma_agents(&vm));
	/* ASSIGN_PCIDEV gave it a physical function */
	vm.vpci.vdev[1].pdev = &some_pdev;
	assert_true(vm_owns_dma_agents(&vm));
	/* DEASSIGN_PCIDEV frees the slot (no ops): a stale pdev pointer does not count */
	vm.vpci.vdev[1].ops = NULL;
	assert_false(vm_owns_dma_agents(&vm));
}

static void test_wbinvd_exit(void **state)
{
	static struct vm vm;
	static struct vcpu v;
	struct vm_config cfg = { .kind = VM_POST_LAUNCHED };

	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(&v, 0, sizeof(v));
	vm.cfg = &cfg;
	v.vm = &vm;
	fake_vmcs_reset();
	fake_vmcs_set(VMCS_GUEST_RIP, 0x1000);
	fake_vmcs_set(VMCS_EXIT_INSN_LEN, 2);
	/* no device: a no-op, the guest goes on past it */
	assert_int_equal(vmx_exit_wbinvd(&v), 0);
	assert_int_equal(flushes, 0);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), 0x1002);
	/* a physical function: the real flush */
	vm.vpci.nr_vdevs = 1;
	vm.vpci.vdev[0].ops = &some_ops;
	vm.vpci.vdev[0].pdev = &some_pdev;
	assert_int_equal(vmx_exit_wbinvd(&v), 0);
	assert_int_equal(flushes, 1);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), 0x1004);
	assert_false(v.pending_exc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_config),
		cmocka_unit_test(test_assigned_at_run_time),
		cmocka_unit_test(test_wbinvd_exit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
