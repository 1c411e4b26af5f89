UNIT_TESTS += ptirq_edge
ptirq_edge_SRCS := dm/ptirq.c
