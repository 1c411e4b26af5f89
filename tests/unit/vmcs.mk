UNIT_TESTS += vmcs
vmcs_SRCS := vmm/vmcs.c vmm/xstate.c tests/unit/fake_vmcs.c tests/unit/fake_cpuid.c tests/unit/fake_pages.c
