UNIT_TESTS += main
main_SRCS := vmm/main.c tests/unit/fake_pages.c
