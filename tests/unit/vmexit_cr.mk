UNIT_TESTS += vmexit_cr
vmexit_cr_SRCS := vmm/vmexit_cr.c vmm/xstate.c tests/unit/fake_vmcs.c tests/unit/fake_cpuid.c
