/* Demo: two pre-launched VMs side by side. Hand-written until the XML generator lands; shaped as its output. */
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
		.bootargs = "vcpus=1 name=vm0",
	},
	{
		.name = "vm1",
		.kind = VM_PRE_LAUNCHED,
		.cpu_affinity = BIT(1),
		.nr_mem = 1,
		.mem = { { .gpa = 0, .hpa = 0x6000000, .size = 0x2000000 } },
		.kernel_type = VM_KERNEL_ELF,
		.kernel_tag = "vm1_kernel",
		.bootargs = "vcpus=1 name=vm1",
	},
};

const struct scenario_config scenario = {
	.board = "bochs",
	.scenario = "demo",
	.hv_mem = { .base = 0x1000000, .size = 0x2000000 },
	.nr_vms = ARRAY_SIZE(vms),
	.vms = vms,
};
