/* The shell's pure parts: words, command lookup, numbers, line editing (unit-tested). */
#include "lib.h"
#include "shell.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

int shell_split(char *line, char **argv, int max)
{
	int n = 0;

	for (char *p = line; *p;) {
		while (blank(*p))
			*p++ = '\0';
		if (!*p)
			break;
		if (n == max)
			return -E2BIG;
		argv[n++] = p;
		while (*p && !blank(*p))
			p++;
	}
	return n;
}

const struct shell_cmd *shell_find(const struct shell_cmd *cmds, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

int shell_number(const char *s, u64 max, u64 *out)
{
	u64 v;
	size_t used = parse_u64(s, &v);

	if (!used || s[used] || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

enum shell_key shell_edit_key(struct shell_edit *ed, char c)
{
	if (c == '\r' || c == '\n')
		return SHELL_KEY_ENTER;
	if (c == 0x7F || c == '\b') {
		if (!ed->len)
			return SHELL_KEY_NONE;
		ed->buf[--ed->len] = '\0';
		return SHELL_KEY_ERASE;
	}
	if ((unsigned char)c < 0x20 || (unsigned char)c > 0x7E)
		return SHELL_KEY_NONE;	/* other control bytes and non-ASCII: ignored */
	if (ed->len == sizeof(ed->buf) - 1)
		return SHELL_KEY_FULL;
	ed->buf[ed->len++] = c;
	ed->buf[ed->len] = '\0';
	return SHELL_KEY_ADD;
}
