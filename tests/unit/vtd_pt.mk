UNIT_TESTS += vtd_pt
vtd_pt_SRCS := vtd/pagetable.c
