UNIT_TESTS += vlapic_apicv
vlapic_apicv_SRCS := dm/vlapic.c dm/vlapic_timer.c dm/vlapic_apicv.c
