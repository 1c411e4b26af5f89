UNIT_TESTS += vm_acpi
vm_acpi_SRCS := vmm/vm_acpi.c arch/x86/e820.c
