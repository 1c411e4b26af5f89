UNIT_TESTS += vm
vm_SRCS := vmm/vm.c vmm/vm_ram.c arch/x86/ept.c arch/x86/e820.c dm/vm_layout.c tests/unit/fake_pages.c
