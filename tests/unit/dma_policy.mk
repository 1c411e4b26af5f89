UNIT_TESTS += dma_policy
dma_policy_SRCS := vtd/dma_policy.c
