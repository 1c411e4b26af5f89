UNIT_TESTS += vm_ram
vm_ram_SRCS := vmm/vm_ram.c arch/x86/ept.c
