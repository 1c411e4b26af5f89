UNIT_TESTS += pio_covers
pio_covers_SRCS := dm/io_emul.c
