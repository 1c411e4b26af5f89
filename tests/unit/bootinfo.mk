UNIT_TESTS += bootinfo
bootinfo_SRCS := boot/bootinfo.c boot/efi_mmap.c
