UNIT_TESTS += bzimage
bzimage_SRCS := arch/x86/guest_bzimage.c arch/x86/guest_elf.c arch/x86/e820.c
