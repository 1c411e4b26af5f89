/* Walking byte ranges over iovec lists; nothing here trusts a length it did not add up. */
#include <stdint.h>
#include <string.h>

#include "iov.h"

size_t iov_size(const struct iovec *iov, unsigned n)
{
	size_t s = 0;

	for (unsigned i = 0; i < n; i++)
		s += iov[i].iov_len;
	return s;
}

static size_t copy(const struct iovec *iov, unsigned n, size_t off, void *buf, size_t len, int to_iov)
{
	size_t done = 0;

	for (unsigned i = 0; i < n && done < len; i++) {
		size_t seg = iov[i].iov_len, take;

		if (off >= seg) {
			off -= seg;
			continue;
		}
		take = seg - off;
		if (take > len - done)
			take = len - done;
		if (to_iov)
			memcpy((uint8_t *)iov[i].iov_base + off, (const uint8_t *)buf + done, take);
		else
			memcpy((uint8_t *)buf + done, (const uint8_t *)iov[i].iov_base + off, take);
		done += take;
		off = 0;
	}
	return done;
}

size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t off, void *dst, size_t len)
{
	return copy(iov, n, off, dst, len, 0);
}

size_t iov_from_buf(const struct iovec *iov, unsigned n, size_t off, const void *src, size_t len)
{
	return copy(iov, n, off, (void *)src, len, 1);
}

int iov_slice(const struct iovec *iov, unsigned n, size_t off, size_t len, struct iovec *out, unsigned max)
{
	unsigned k = 0;

	for (unsigned i = 0; i < n && len; i++) {
		size_t seg = iov[i].iov_len, take;

		if (off >= seg) {
			off -= seg;
			continue;
		}
		take = seg - off;
		if (take > len)
			take = len;
		if (k == max)
			return -1;
		out[k].iov_base = (uint8_t *)iov[i].iov_base + off;
		out[k].iov_len = take;
		k++;
		len -= take;
		off = 0;
	}
	return len ? -1 : (int)k;
}
