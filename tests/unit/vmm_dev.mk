UNIT_TESTS += vmm_dev
vmm_dev_SRCS := vmm/vmm_dev.c vtd/dma_policy.c
