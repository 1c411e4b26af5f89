UNIT_TESTS += cmdline
cmdline_SRCS := boot/cmdline.c lib/parse.c
