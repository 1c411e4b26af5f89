UNIT_TESTS += shell
shell_SRCS := vmm/shell.c vmm/shell_cmds.c vmm/shell_parse.c lib/parse.c
