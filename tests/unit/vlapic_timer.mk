UNIT_TESTS += vlapic_timer
vlapic_timer_SRCS := dm/vlapic.c dm/vlapic_timer.c
