UNIT_TESTS += vm_build
vm_build_SRCS := vmm/vm_build.c vmm/msr_bitmap.c dm/vlapic.c dm/vlapic_timer.c arch/x86/ept.c \
	vtd/dma_policy.c tests/unit/fake_pages.c
