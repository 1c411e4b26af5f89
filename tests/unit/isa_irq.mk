UNIT_TESTS += isa_irq
isa_irq_SRCS := dm/isa_irq.c dm/ptirq.c dm/rtc_pt.c
