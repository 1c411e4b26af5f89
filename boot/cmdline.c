/* Hypervisor command line parsing: key=value words, no quoting. */
#include "cmdline.h"
#include "errno.h"
#include "lib.h"

/* Longest number we accept: keeps parse_u64 away from wrapping. */
#define CMDLINE_NUM_MAX 18

struct cmdline_word {
	const char *key, *val;	/* val is NULL when the word has no '=' */
	size_t klen, vlen;
};

struct cmdline_state {
	char *err;
	size_t errlen;
	bool failed;
	bool warned;
};

static bool cmdline_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool word_is(const char *p, size_t n, const char *lit)
{
	return strlen(lit) == n && strncmp(p, lit, n) == 0;
}

/* A whole-word number of at most CMDLINE_NUM_MAX characters. */
static bool cmdline_number(const char *p, size_t n, u64 *v)
{
	if (n == 0 || n > CMDLINE_NUM_MAX)
		return false;
	return parse_u64(p, v) == n;
}

/* Append up to @n chars of @p to the message; always NUL-terminates. */
static void cmdline_msg(struct cmdline_state *cs, const char *p, size_t n)
{
	size_t used = strlen(cs->err);

	while (n-- && *p && used + 1 < cs->errlen)
		cs->err[used++] = *p++;
	cs->err[used] = '\0';
}

static void cmdline_bad(struct cmdline_state *cs, const struct cmdline_word *w,
			const char *why)
{
	if (!cs->failed && cs->err && cs->errlen) {
		cs->err[0] = '\0';
		cmdline_msg(cs, w->key, MIN(w->klen, 32));
		if (w->val) {
			cmdline_msg(cs, ": bad value '", ~(size_t)0);
			cmdline_msg(cs, w->val, MIN(w->vlen, 32));
			cmdline_msg(cs, "' (", ~(size_t)0);
			cmdline_msg(cs, why, ~(size_t)0);
			cmdline_msg(cs, ")", 1);
		} else {
			cmdline_msg(cs, ": ", ~(size_t)0);
			cmdline_msg(cs, why, ~(size_t)0);
		}
	}
	cs->failed = true;
}

/* Unknown words collect in @err unless an error already owns it. */
static void cmdline_unknown(struct cmdline_state *cs, const struct cmdline_word *w)
{
	size_t wlen = w->klen + (w->val ? w->vlen + 1 : 0);

	if (cs->failed || !cs->err || !cs->errlen)
		return;
	if (!cs->warned)
		cmdline_msg(cs, "ignored unknown option(s):", ~(size_t)0);
	cs->warned = true;
	cmdline_msg(cs, " ", 1);
	cmdline_msg(cs, w->key, MIN(wlen, 32));
}

static void cmdline_word(struct cmdline_state *cs, const struct cmdline_word *w,
			 struct hv_options *o)
{
	const char *v = w->val;
	size_t n = w->vlen;
	u64 num;

	if (!v && (w->key[0] == '/' || w->key[0] == '('))
		return;

	if (word_is(w->key, w->klen, "vtd_selftest")) {
		if (v)
			cmdline_bad(cs, w, "takes no value");
		else
			o->vtd_selftest = true;
		return;
	}

	if (!word_is(w->key, w->klen, "loglevel") && !word_is(w->key, w->klen, "console") &&
	    !word_is(w->key, w->klen, "exit") && !word_is(w->key, w->klen, "stats") &&
	    !word_is(w->key, w->klen, "apicv") && !word_is(w->key, w->klen, "halt_poll_us")) {
		cmdline_unknown(cs, w);
		return;
	}
	if (!v || n == 0) {
		cmdline_bad(cs, w, "missing value");
		return;
	}

	if (word_is(w->key, w->klen, "apicv")) {
		if (word_is(v, n, "on"))
			o->apicv_off = false;
		else if (word_is(v, n, "off"))
			o->apicv_off = true;
		else
			cmdline_bad(cs, w, "want on or off");
	} else if (word_is(w->key, w->klen, "halt_poll_us")) {
		if (cmdline_number(v, n, &num) && num <= 10000)
			o->halt_poll_us = (unsigned)num;
		else
			cmdline_bad(cs, w, "want 0..10000 microseconds");
	} else if (word_is(w->key, w->klen, "stats")) {
		if (cmdline_number(v, n, &num) && num <= 3600)
			o->stats_secs = (unsigned)num;
		else
			cmdline_bad(cs, w, "want 0..3600 seconds");
	} else if (word_is(w->key, w->klen, "loglevel")) {
		if (cmdline_number(v, n, &num) && num <= LOG_DEBUG)
			o->loglevel = (int)num;
		else
			cmdline_bad(cs, w, "want 0..3");
	} else if (word_is(w->key, w->klen, "console")) {
		if (word_is(v, n, "none")) {
			o->console_none = true;
			o->console_port = 0;
		} else if (word_is(v, n, "ttyS0")) {
			o->console_none = false;
			o->console_port = 0x3F8;
		} else if (word_is(v, n, "ttyS1")) {
			o->console_none = false;
			o->console_port = 0x2F8;
		} else if (cmdline_number(v, n, &num) && num && num <= 0xFFFF) {
			o->console_none = false;
			o->console_port = (u16)num;
		} else {
			cmdline_bad(cs, w, "want ttyS0, ttyS1, none or a port");
		}
	} else {
		if (word_is(v, n, "none"))
			o->exit = EXIT_NONE;
		else if (word_is(v, n, "bochs"))
			o->exit = EXIT_BOCHS;
		else if (word_is(v, n, "qemu"))
			o->exit = EXIT_QEMU;
		else
			cmdline_bad(cs, w, "want none, bochs or qemu");
	}
}

void cmdline_defaults(struct hv_options *o)
{
	o->loglevel = LOG_INFO;
	o->console_port = 0x3F8;
	o->console_none = false;
	o->exit = EXIT_NONE;
	o->vtd_selftest = false;
	o->stats_secs = 0;
	o->apicv_off = false;
	o->halt_poll_us = 200;		/* KVM's default */
}

int cmdline_parse(const char *s, struct hv_options *o, char *err, size_t errlen)
{
	struct cmdline_state cs = { .err = err, .errlen = errlen };

	cmdline_defaults(o);
	if (err && errlen)
		err[0] = '\0';
	if (!s)
		return 0;

	while (*s) {
		struct cmdline_word w = { 0 };
		const char *p;

		while (cmdline_space(*s))
			s++;
		if (!*s)
			break;
		for (p = s; *p && !cmdline_space(*p); p++)
			;
		w.key = s;
		for (w.klen = 0; s + w.klen < p && s[w.klen] != '='; w.klen++)
			;
		if (s + w.klen < p) {
			w.val = s + w.klen + 1;
			w.vlen = (size_t)(p - w.val);
		}
		cmdline_word(&cs, &w, o);
		s = p;
	}
	return cs.failed ? -EINVAL : 0;
}
