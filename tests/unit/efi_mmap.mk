UNIT_TESTS += efi_mmap
efi_mmap_SRCS := boot/efi_mmap.c boot/bootinfo.c
