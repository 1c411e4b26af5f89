/* Number parsing shared by the command line and config readers. */
#include "lib.h"

size_t parse_u64(const char *s, u64 *out)
{
	unsigned base = 10;
	size_t i = 0, start;
	u64 v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (start = i;; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		v = v * base + d;
	}
	if (i == start)
		return 0;
	*out = v;
	return i;
}
