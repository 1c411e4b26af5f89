UNIT_TESTS += vm_flush
vm_flush_SRCS := arch/x86/vm_flush.c
