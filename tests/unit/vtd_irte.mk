UNIT_TESTS += vtd_irte
vtd_irte_SRCS := vtd/irte.c
