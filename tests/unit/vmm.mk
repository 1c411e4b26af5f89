UNIT_TESTS += vmm
vmm_SRCS := vmm/vmm.c vmm/vm_ram.c arch/x86/ept.c tests/unit/fake_pages.c
