UNIT_TESTS += msr_bitmap
msr_bitmap_SRCS := vmm/msr_bitmap.c
