UNIT_TESTS += vmmio_pt
vmmio_pt_SRCS := dm/vmmio/vmmio_pt.c dm/vm_layout.c
