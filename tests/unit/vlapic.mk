UNIT_TESTS += vlapic
vlapic_SRCS := arch/x86/vlapic.c arch/x86/vlapic_timer.c
