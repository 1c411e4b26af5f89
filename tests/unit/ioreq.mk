UNIT_TESTS += ioreq
ioreq_SRCS := dm/ioreq.c
