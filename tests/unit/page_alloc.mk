UNIT_TESTS += page_alloc
page_alloc_SRCS := arch/x86/page_alloc.c
