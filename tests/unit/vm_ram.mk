UNIT_TESTS += vm_ram
vm_ram_SRCS := arch/x86/vm_ram.c
