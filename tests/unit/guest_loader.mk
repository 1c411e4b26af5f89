UNIT_TESTS += guest_loader
guest_loader_SRCS := arch/x86/guest_elf.c arch/x86/guest_mbinfo.c arch/x86/e820.c
