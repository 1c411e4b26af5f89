/* Rate limiting of log lines: a fixed window with a burst (include/ratelimit.h). */
#include "lib.h"
#include "ratelimit.h"

bool ratelimit_check(struct ratelimit *rl, u64 now, u64 interval, u32 burst, u32 *missed)
{
	bool ok;

	spin_lock(&rl->lock);
	*missed = 0;
	if (!rl->started || now - rl->start >= interval) {
		rl->started = true;
		rl->start = now;
		rl->printed = 0;
	}
	ok = rl->printed < burst;
	if (ok) {
		rl->printed++;
		*missed = rl->missed;
		rl->missed = 0;
	} else {
		rl->missed++;
	}
	spin_unlock(&rl->lock);
	return ok;
}
