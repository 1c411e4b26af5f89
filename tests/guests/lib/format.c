/* vsnprintf for the guests: 32-bit arithmetic only (64-bit values divide via udiv64_32). */
#include "console.h"
#include "x86.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

/* Emit digits (most significant first) with sign/prefix, padding and justification. */
static void out_field(struct out *o, const char *prefix, const char *digits, int ndigits,
		      int width, bool left, bool zero)
{
	int plen = 0;

	while (prefix[plen])
		plen++;
	int pad = width - plen - ndigits;

	if (!left && !zero)
		out_pad(o, ' ', pad);
	for (int i = 0; i < plen; i++)
		out_char(o, prefix[i]);
	if (!left && zero)
		out_pad(o, '0', pad);
	for (int i = 0; i < ndigits; i++)
		out_char(o, digits[i]);
	if (left)
		out_pad(o, ' ', pad);
}

static int fmt_u64(char *tmp, u64 v, unsigned base, bool upper)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char rev[24];
	int n = 0;

	do {
		u32 r;

		if (base == 16) {
			r = (u32)v & 0xF;
			v >>= 4;
		} else {
			v = udiv64_32(v, base, &r);
		}
		rev[n++] = dig[r];
	} while (v);
	for (int i = 0; i < n; i++)
		tmp[i] = rev[n - 1 - i];
	return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			out_char(&o, *fmt);
			continue;
		}
		bool left = false, zero = false, alt = false;
		int width = 0, lng = 0;

		for (;; fmt++) {
			if (fmt[1] == '-')
				left = true;
			else if (fmt[1] == '0')
				zero = true;
			else if (fmt[1] == '#')
				alt = true;
			else
				break;
		}
		fmt++;
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		}
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}

		char tmp[24];
		const char *prefix = "";
		u64 uv;
		s64 sv;
		int n;

		switch (*fmt) {
		case 'd':
		case 'i':
			sv = lng >= 2 ? va_arg(ap, s64) : (s64)va_arg(ap, int);
			if (sv < 0) {
				prefix = "-";
				uv = (u64)0 - (u64)sv;
			} else {
				uv = (u64)sv;
			}
			n = fmt_u64(tmp, uv, 10, false);
			out_field(&o, prefix, tmp, n, width, left, zero);
			break;
		case 'u':
		case 'x':
		case 'X':
			uv = lng >= 2 ? va_arg(ap, u64) : (u64)va_arg(ap, u32);
			if (*fmt != 'u' && alt)
				prefix = "0x";
			n = fmt_u64(tmp, uv, *fmt == 'u' ? 10 : 16, *fmt == 'X');
			out_field(&o, prefix, tmp, n, width, left, zero);
			break;
		case 'p':
			n = fmt_u64(tmp, (u32)va_arg(ap, void *), 16, false);
			out_field(&o, "0x", tmp, n, 10, false, true);
			break;
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			out_field(&o, "", tmp, 1, width, left, false);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (!s)
				s = "(null)";
			n = 0;
			while (s[n])
				n++;
			out_field(&o, "", s, n, width, left, false);
			break;
		}
		case '%':
			out_char(&o, '%');
			break;
		default: /* unknown conversion: print it verbatim so the bug is visible */
			out_char(&o, '%');
			if (!*fmt)
				goto done;
			out_char(&o, *fmt);
			break;
		}
	}
done:
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
