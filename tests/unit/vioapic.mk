UNIT_TESTS += vioapic
vioapic_SRCS := dm/vioapic.c dm/vlapic.c dm/vlapic_timer.c
