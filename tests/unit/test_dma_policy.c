/*
 * One policy for what a VM may be given (vtd/dma_policy.c): a DMA-capable
 * device needs DMA and interrupt remapping (its DMA write to 0xFEExxxxx is
 * an MSI), a device that only sends MSIs needs interrupt remapping, and
 * otherwise only a VM marked unprotected-dma gets it, with a warning.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "lib.h"
#include "dma_policy.h"
#include "vm_config.h"
#include "vtd.h"

static bool dma_on, ir_on;
bool vtd_active(void) { return dma_on; }
bool vtd_ir_active(void) { return ir_on; }

static void test_pci_needs_both_remappings(void **state)
{
	(void)state;
	assert_int_equal(dma_policy(DEV_CAN_DMA, true, true, false), DMA_ALLOWED);
	/* DMA remapping alone: a write to 0xFEExxxxx is still an MSI to any CPU */
	assert_int_equal(dma_policy(DEV_CAN_DMA, true, false, false), DMA_REFUSED_NO_IR);
	assert_int_equal(dma_policy(DEV_CAN_DMA, false, false, false), DMA_REFUSED_NO_VTD);
	assert_int_equal(dma_policy(DEV_CAN_DMA | DEV_CAN_MSI, true, false, false), DMA_REFUSED_NO_IR);
	assert_int_equal(dma_policy(DEV_CAN_DMA | DEV_CAN_MSI, true, true, false), DMA_ALLOWED);
}

static void test_msi_only_needs_ir(void **state)
{
	(void)state;
	assert_int_equal(dma_policy(DEV_CAN_MSI, true, true, false), DMA_ALLOWED);
	assert_int_equal(dma_policy(DEV_CAN_MSI, true, false, false), DMA_REFUSED_NO_IR);
	assert_int_equal(dma_policy(DEV_CAN_MSI, false, false, false), DMA_REFUSED_NO_IR);
	assert_int_equal(dma_policy(0, false, false, false), DMA_ALLOWED);	/* neither: nothing to fear */
}

static void test_unprotected_vm_takes_the_risk(void **state)
{
	(void)state;
	assert_int_equal(dma_policy(DEV_CAN_DMA, false, false, true), DMA_ALLOWED_UNPROTECTED);
	assert_int_equal(dma_policy(DEV_CAN_DMA, true, false, true), DMA_ALLOWED_UNPROTECTED);
	assert_int_equal(dma_policy(DEV_CAN_MSI, true, false, true), DMA_ALLOWED_UNPROTECTED);
	/* protected anyway: no warning needed */
	assert_int_equal(dma_policy(DEV_CAN_DMA, true, true, true), DMA_ALLOWED);
}

static void test_check_on_this_machine(void **state)
{
	u32 trusted = VM_FLAG_UNPROTECTED_DMA, plain = 0;
	u32 flags = plain;

	(void)state;
	dma_on = ir_on = false;
	assert_int_equal(dma_policy_check("vm", flags, DEV_CAN_DMA, "PCI 00:03.0"), -EPERM);
	dma_on = true;
	assert_int_equal(dma_policy_check("vm", flags, DEV_CAN_DMA, "PCI 00:03.0"), -EPERM);
	assert_int_equal(dma_policy_check("vm", flags, DEV_CAN_MSI, "MMIO device PNP0103"), -EPERM);
	flags = trusted;
	assert_int_equal(dma_policy_check("vm", flags, DEV_CAN_DMA, "PCI 00:03.0"), 0);
	assert_int_equal(dma_policy_check("vm", flags, DEV_CAN_MSI, "MMIO device PNP0103"), 0);
	flags = plain;
	ir_on = true;
	assert_int_equal(dma_policy_check("vm", flags, DEV_CAN_DMA, "PCI 00:03.0"), 0);
	assert_int_equal(dma_policy_check("vm", flags, DEV_CAN_MSI, "MMIO device PNP0103"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pci_needs_both_remappings),
		cmocka_unit_test(test_msi_only_needs_ir),
		cmocka_unit_test(test_unprotected_vm_takes_the_risk),
		cmocka_unit_test(test_check_on_this_machine),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
