/* Benchmarks: one VM running the benchmark guest. Hand-written until the XML generator lands. */
#include "vm_config.h"

static const struct vm_config vms[] = {
	{
		.name = "bench",
		.kind = VM_PRE_LAUNCHED,
		.cpu_affinity = BIT(0),
		.nr_mem = 1,
		.mem = { { .gpa = 0, .hpa = 0x4000000, .size = 0x2000000 } },
		.kernel_type = VM_KERNEL_ELF,
		.kernel_tag = "bench_kernel",
		.bootargs = "",
	},
};

const struct scenario_config scenario = {
	.board = "bochs",
	.scenario = "bench",
	.hv_mem = { .base = 0x1000000, .size = 0x2000000 },
	.nr_vms = ARRAY_SIZE(vms),
	.vms = vms,
};
