UNIT_TESTS += vmm_mmio
vmm_mmio_SRCS := vmm/vmm_mmio.c
