UNIT_TESTS += vcpu_lapic
vcpu_lapic_SRCS := vmm/vcpu_lapic.c vmm/msr_bitmap.c dm/vlapic.c dm/vlapic_timer.c dm/vlapic_apicv.c \
	tests/unit/fake_vmcs.c tests/unit/fake_pages.c
