UNIT_TESTS += ioreq
ioreq_SRCS := vmm/ioreq.c
