/*
 * Containment: vm1 ends with a triple fault and must be stopped with a
 * report; vm0 waits, then runs its checks, showing it kept running.
 * Hand-written until the XML generator lands.
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
		.bootargs = "vcpus=1 name=vm1 triple=1",
	},
};

const struct scenario_config scenario = {
	.board = "bochs",
	.scenario = "misbehave",
	.hv_mem = { .base = 0x1000000, .size = 0x2000000 },
	.nr_vms = ARRAY_SIZE(vms),
	.vms = vms,
};
