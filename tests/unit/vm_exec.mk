UNIT_TESTS += vm_exec
vm_exec_SRCS := arch/x86/vm_exec.c
