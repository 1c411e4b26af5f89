UNIT_TESTS += ptirq
ptirq_SRCS := dm/ptirq.c
