/*
 * The hypervisor shell and the console switch (vmm/shell*.c): input from
 * the hypervisor's UART goes to the shell or to one VM's COM1; Ctrl-]
 * moves the focus on (shell, each VM with a COM1, shell again).
 */
#ifndef BH_SHELL_H
#define BH_SHELL_H

#include "types.h"

#define SHELL_SWITCH_KEY 0x1D	/* Ctrl-]: no meaning to a Linux tty (stty -a) nor to GRUB */
#define SHELL_LINE 80
#define SHELL_MAX_ARGS 4

struct shell_cmd {
	const char *name;
	const char *args;	/* usage of the arguments, "" when none */
	const char *help;
	/* argv[0] is the command; 0, or -EINVAL after printing why */
	int (*fn)(int argc, char **argv);
};

/* shell_parse.c: pure */
/* Split line in place at blanks into at most max words: the count, -E2BIG for more. */
int shell_split(char *line, char **argv, int max);
const struct shell_cmd *shell_find(const struct shell_cmd *cmds, unsigned n, const char *name);
/* A whole decimal or 0x number no larger than max: 0, else -EINVAL. */
int shell_number(const char *s, u64 max, u64 *out);

/* Line editing: one byte in; true when a whole line is ready in ed->buf. */
struct shell_edit {
	char buf[SHELL_LINE];
	unsigned len;
};
/* What the byte does to the line, for the caller to echo: */
enum shell_key { SHELL_KEY_NONE, SHELL_KEY_ADD, SHELL_KEY_ERASE, SHELL_KEY_ENTER, SHELL_KEY_FULL };
enum shell_key shell_edit_key(struct shell_edit *ed, char c);

/* shell_cmds.c */
extern const struct shell_cmd shell_cmds[];
extern const unsigned shell_nr_cmds;

/* shell.c */
int shell_focus_vm(unsigned index);	/* vm_console: -EINVAL without such a VM with a COM1 */

#endif
