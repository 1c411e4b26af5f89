UNIT_TESTS += lib
# test_lib.c includes lib/string.c and lib/vsnprintf.c under other names (libc has these)
lib_SRCS :=
$(BUILD)/unit/test_lib: lib/string.c lib/vsnprintf.c
