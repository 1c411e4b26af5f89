UNIT_TESTS += shell_parse
shell_parse_SRCS := vmm/shell_parse.c lib/parse.c
