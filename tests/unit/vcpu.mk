UNIT_TESTS += vcpu
vcpu_SRCS := vmm/vcpu.c vmm/spec_ctrl.c dm/vlapic.c dm/vlapic_timer.c dm/vlapic_apicv.c \
	tests/unit/fake_vmcs.c tests/unit/fake_pages.c
