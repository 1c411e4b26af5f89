UNIT_TESTS += vtd_fault
vtd_fault_SRCS := vtd/fault_decode.c
