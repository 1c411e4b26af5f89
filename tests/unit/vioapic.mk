UNIT_TESTS += vioapic
vioapic_SRCS := arch/x86/vioapic.c arch/x86/vlapic.c arch/x86/vlapic_timer.c
