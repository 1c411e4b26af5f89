UNIT_TESTS += irq
irq_SRCS := arch/x86/irq.c
