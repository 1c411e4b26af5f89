UNIT_TESTS += vm_dma_agents
vm_dma_agents_SRCS := vmm/vm_dma_agents.c vmm/vmexit_wbinvd.c tests/unit/fake_vmcs.c
