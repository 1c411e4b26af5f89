/*
 * selftest guest. Command line (all optional):
 *   vcpus=N  privileged=0|1  outside=0|1  wait=N (million TSC ticks)
 *   pci=0|1  name=STR
 * and for runs without the hypervisor: qemu=1 / bochs=1 (see lib/power.h).
 */
#include "selftest.h"

struct selftest_params params;

static void parse_params(void)
{
	params.vcpus = mboot_arg_u32("vcpus", 1);
	if (params.vcpus < 1)
		params.vcpus = 1;
	params.privileged = mboot_arg_u32("privileged", 0) != 0;
	params.outside = mboot_arg_u32("outside", 0) != 0;
	params.triple = mboot_arg_u32("triple", 0) != 0;
	params.wait_mtsc = mboot_arg_u32("wait", 0);
	params.pci = mboot_arg_u32("pci", 0) != 0;
	params.pt_dev = mboot_arg_u32("pt", 0);
	params.nodev = mboot_arg_u32("nodev", 0);
	if (!mboot_arg("name", params.name, sizeof(params.name)))
		params.name[0] = '\0';
}

static u32 plan(void)
{
	u32 n = CPUID_TESTS + FAULT_TESTS + MEM_TESTS + PORT_TESTS + MSR_TESTS + HCALL_TESTS + SMP_TESTS +
		TIMER_TESTS + IPI_TESTS + MMIO_TESTS + IOAPIC_TESTS + X2APIC_TESTS;

	if (params.pt_dev)
		n += PT_TESTS;
	if (params.nodev)
		n += NODEV_TESTS;
	return params.pci ? n + PCI_TESTS : n;
}

int main(void)
{
	parse_params();
	/* The plan comes first: a VM stopped midway then shows missing tests. */
	test_plan(plan());
	test_diag("selftest%s%s vcpus=%u privileged=%u outside=%u wait=%u pci=%u mem_upper=%u KiB",
		  params.name[0] ? " name=" : "", params.name, params.vcpus, params.privileged,
		  params.outside, params.wait_mtsc, params.pci, mboot_mem_upper_kb());
	if (!mboot_valid())
		test_diag("no multiboot info (magic wrong): defaults used");
	if (params.wait_mtsc) {
		test_diag("waiting %u million TSC ticks", params.wait_mtsc);
		tsc_delay((u64)params.wait_mtsc * 1000000u);
	}

	cpuid_tests();
	fault_tests();
	mem_tests();
	port_tests();
	msr_tests();
	hcall_tests();
	apic_init_cpu();
	smp_tests();
	timer_tests();
	ipi_tests();
	mmio_decode_tests(); /* reads xAPIC MMIO: before x2APIC mode */
	ioapic_tests();
	x2apic_tests();
	if (params.pci)
		pci_tests();
	if (params.pt_dev)
		pt_tests();
	if (params.nodev)
		nodev_tests();
	if (irq_unexpected_count())
		test_diag("%u unexpected interrupts", irq_unexpected_count());

	if (params.outside) {
		test_plan_check();
		outside_access();
	}
	if (params.triple) {
		test_plan_check();
		triple_fault();
	}
	return 0;
}
