/* Numbers on the command line: strict, so "25x6M" or "-1" is an error, not 25 MiB. */
#include <stdint.h>

#include "dm_config.h"

static int digit(char ch, unsigned base)
{
	unsigned d;

	if (ch >= '0' && ch <= '9')
		d = (unsigned)(ch - '0');
	else if (ch >= 'a' && ch <= 'f')
		d = (unsigned)(ch - 'a' + 10);
	else if (ch >= 'A' && ch <= 'F')
		d = (unsigned)(ch - 'A' + 10);
	else
		return -1;
	return d < base ? (int)d : -1;
}

/* Leading digits of s into *v; returns how many, or -1 on overflow past max. */
static int leading_uint(const char *s, unsigned base, uint64_t max, uint64_t *v)
{
	uint64_t acc = 0;
	int n = 0, d;

	while ((d = digit(s[n], base)) >= 0) {
		if ((uint64_t)d > max || acc > (max - (uint64_t)d) / base)
			return -1;
		acc = acc * base + (uint64_t)d;
		n++;
	}
	*v = acc;
	return n;
}

int dm_parse_uint(const char *s, unsigned base, uint64_t max, uint64_t *v)
{
	int n;

	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	n = leading_uint(s, base, max, v);
	return n > 0 && s[n] == '\0' ? 0 : -1;
}

int dm_parse_size(const char *s, uint64_t *bytes)
{
	uint64_t v;
	unsigned shift;
	int n = leading_uint(s, 10, UINT64_MAX, &v);

	if (n <= 0)
		return -1;
	switch (s[n]) {
	case 'k': case 'K': shift = 10; break;
	case '\0':			/* acrn-dm (after bhyve): a bare number is MiB */
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	default: return -1;
	}
	if (s[n] != '\0' && s[n + 1] != '\0')
		return -1;
	if (v > (UINT64_MAX >> shift))
		return -1;
	*bytes = v << shift;
	return 0;
}
