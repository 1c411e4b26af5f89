/* Byte ranges across iovec lists: virtio requests may be split anywhere (ANY_LAYOUT). */
#ifndef DM_IOV_H
#define DM_IOV_H

#include <stddef.h>
#include <sys/uio.h>

/* Total bytes in iov[0..n). */
size_t iov_size(const struct iovec *iov, unsigned n);

/* Copy up to len bytes from offset off of the list into dst; returns bytes copied. */
size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t off, void *dst, size_t len);

/* Copy up to len bytes from src into the list at offset off; returns bytes copied. */
size_t iov_from_buf(const struct iovec *iov, unsigned n, size_t off, const void *src, size_t len);

/*
 * The part [off, off + len) of the list as a new list in out (room for max
 * entries; empty segments left out). Returns its entry count, or -1 when the
 * list is shorter than off + len or out has too little room.
 */
int iov_slice(const struct iovec *iov, unsigned n, size_t off, size_t len, struct iovec *out, unsigned max);

#endif
