UNIT_TESTS += ept
ept_SRCS := arch/x86/ept.c tests/unit/fake_pages.c
