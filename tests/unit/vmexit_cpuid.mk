UNIT_TESTS += vmexit_cpuid
vmexit_cpuid_SRCS := vmm/vmexit_cpuid.c vmm/spec_ctrl.c vmm/xstate.c tests/unit/fake_vmcs.c \
	tests/unit/fake_cpuid.c
