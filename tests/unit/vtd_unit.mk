UNIT_TESTS += vtd_unit
vtd_unit_SRCS := vtd/caps.c vtd/unit.c vtd/inval.c vtd/context.c vtd/domain.c vtd/ir.c vtd/fault.c vtd/fault_decode.c vtd/dmar.c vtd/pagetable.c vtd/irte.c vtd/vtd.c vtd/crosscheck.c tests/unit/test_vtd_fakehw.c
