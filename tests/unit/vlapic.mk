UNIT_TESTS += vlapic
vlapic_SRCS := dm/vlapic.c dm/vlapic_timer.c
