UNIT_TESTS += vlapic_timer
vlapic_timer_SRCS := arch/x86/vlapic.c arch/x86/vlapic_timer.c
