/*
 * Isolation: two pre-launched VMs on two CPUs. vm1 ends by touching memory
 * outside its RAM and must be stopped; vm0 waits, then runs its checks,
 * showing it kept running. Hand-written until the XML generator lands.
 */
#include "vm_config.h"

static const struct vm_config vms[] = {
	{
		.name = "vm0",
		.kind = VM_PRE_LAUNCHED,
		.cpu_affinity = BIT(0),
		.nr_mem = 1,
		.mem = { { .gpa = 0, .hpa = 0x4000000, .size = 0x2000000 } },
		.kernel_type = VM_KERNEL_ELF,
		.kernel_tag = "vm0_kernel",
		.bootargs = "vcpus=1 name=vm0 wait=40",
	},
	{
		.name = "vm1",
		.kind = VM_PRE_LAUNCHED,
		.cpu_affinity = BIT(1),
		.nr_mem = 1,
		.mem = { { .gpa = 0, .hpa = 0x6000000, .size = 0x2000000 } },
		.kernel_type = VM_KERNEL_ELF,
		.kernel_tag = "vm1_kernel",
		.bootargs = "vcpus=1 name=vm1 outside=1",
	},
};

const struct scenario_config scenario = {
	.board = "bochs",
	.scenario = "two-vms",
	.hv_mem = { .base = 0x1000000, .size = 0x2000000 },
	.nr_vms = ARRAY_SIZE(vms),
	.vms = vms,
};
