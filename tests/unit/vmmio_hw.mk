UNIT_TESTS += vmmio_hw
vmmio_hw_SRCS := dm/vmmio/vmmio_hw.c
