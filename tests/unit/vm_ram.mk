UNIT_TESTS += vm_ram
vm_ram_SRCS := vmm/vm_ram.c
