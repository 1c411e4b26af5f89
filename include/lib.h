/* Freestanding helpers (lib/). Prototypes match libc so host tests link libc's. */
#ifndef BH_LIB_H
#define BH_LIB_H

#include <stdarg.h>
#include "types.h"
#include "errno.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Log levels, lower is more important; "loglevel=" on the command line. */
enum { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };
extern int log_level;
/* Formats with lib's vsnprintf, writes to the console (arch/x86/printk.c). */
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define pr_err(...) do { if (log_level >= LOG_ERR) printk("ERROR: " __VA_ARGS__); } while (0)
#define pr_warn(...) do { if (log_level >= LOG_WARN) printk("WARNING: " __VA_ARGS__); } while (0)
#define pr_info(...) do { if (log_level >= LOG_INFO) printk(__VA_ARGS__); } while (0)
#define pr_debug(...) do { if (log_level >= LOG_DEBUG) printk(__VA_ARGS__); } while (0)

/* Parse an unsigned number (0x prefix = hex); returns chars consumed, 0 if none. */
size_t parse_u64(const char *s, u64 *out);

#endif
