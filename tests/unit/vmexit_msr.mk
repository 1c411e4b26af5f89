UNIT_TESTS += vmexit_msr
vmexit_msr_SRCS := vmm/vmexit_msr.c vmm/spec_ctrl.c vmm/xstate.c tests/unit/fake_vmcs.c
