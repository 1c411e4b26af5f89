UNIT_TESTS += ept
ept_SRCS := arch/x86/ept.c
