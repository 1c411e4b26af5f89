UNIT_TESTS += vtd_dmar
vtd_dmar_SRCS := vtd/dmar.c vtd/crosscheck.c
