UNIT_TESTS += vmexit
vmexit_SRCS := vmm/vmexit.c tests/unit/fake_vmcs.c
