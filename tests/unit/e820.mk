UNIT_TESTS += e820
e820_SRCS := arch/x86/e820.c
