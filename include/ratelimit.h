/*
 * Rate limits for log lines a guest can trigger: each call site may print
 * RATELIMIT_BURST lines per RATELIMIT_SECS; the lines it held back are
 * counted and the next line it prints says how many. A guest that makes
 * the hypervisor log on every exit then costs the console a few lines a
 * second, not a line per exit.
 */
#ifndef BH_RATELIMIT_H
#define BH_RATELIMIT_H

#include "types.h"
#include "spinlock.h"

#define RATELIMIT_BURST 10
#define RATELIMIT_SECS 5

struct ratelimit {
	spinlock_t lock;
	bool started;
	u64 start;		/* when the current window opened */
	u32 printed;		/* lines in the current window */
	u32 missed;		/* lines held back since the last one printed */
};

/*
 * Pure logic (lib/ratelimit.c): may a line be printed at time now (any
 * clock, interval in its units)? *missed gets the count held back before
 * it (0 when refused).
 */
bool ratelimit_check(struct ratelimit *rl, u64 now, u64 interval, u32 burst, u32 *missed);

/*
 * The same on the host TSC with the limits above (arch/x86/printk.c); it
 * prints the held-back count itself, so call sites take no address of a
 * local (which would give hot exit handlers a stack frame).
 */
bool ratelimit_ok(struct ratelimit *rl);

/* printk for guest-triggerable lines: one limit per call site. */
#define printk_ratelimited(...)					\
	do {							\
		static struct ratelimit rl_;			\
		if (ratelimit_ok(&rl_))				\
			printk(__VA_ARGS__);			\
	} while (0)
#define pr_err_ratelimited(...)	\
	do { if (log_level >= LOG_ERR) printk_ratelimited("ERROR: " __VA_ARGS__); } while (0)
#define pr_warn_ratelimited(...)	\
	do { if (log_level >= LOG_WARN) printk_ratelimited("WARNING: " __VA_ARGS__); } while (0)
#define pr_info_ratelimited(...)	\
	do { if (log_level >= LOG_INFO) printk_ratelimited(__VA_ARGS__); } while (0)
#define pr_debug_ratelimited(...)	\
	do { if (log_level >= LOG_DEBUG) printk_ratelimited(__VA_ARGS__); } while (0)

#endif
