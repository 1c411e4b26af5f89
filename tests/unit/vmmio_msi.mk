UNIT_TESTS += vmmio_msi
vmmio_msi_SRCS := dm/vmmio/vmmio_msi.c vtd/dma_policy.c
