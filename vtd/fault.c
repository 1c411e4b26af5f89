/* Fault recording registers: drain, log (rate limited) and clear. */
#include "lib.h"
#include "spinlock.h"
#include "vtd_hw.h"
#include "vtd_unit.h"

#define FAULT_WINDOW_US 1000000

static spinlock_t fault_lock = SPINLOCK_INIT;
static u64 faults_total;
static struct vtd_fault fault_last;

/*
 * Walk the records from FSTS.FRI while their F bit is set, decode each and
 * clear it (write 1 to F); then clear an overflow. Returns how many were
 * cleared; the first @max land in @out.
 */
unsigned vtd_unit_fault_drain(struct vtd_unit *u, struct vtd_fault *out, unsigned max)
{
	u32 fsts = vtd_hw_read32(u, VTD_REG_FSTS);
	unsigned nr = u->caps.nr_fault_regs, n = 0;

	if (fsts & VTD_FSTS_PPF) {
		unsigned i = VTD_FSTS_FRI(fsts) % nr;

		for (unsigned k = 0; k < nr; k++, i = (i + 1) % nr) {
			unsigned off = VTD_REG_FRCD(u->caps.fro, i);
			u64 hi = vtd_hw_read64(u, off + 8), lo;

			if (!(hi & VTD_FRCD_F))
				break;
			lo = vtd_hw_read64(u, off);
			if (n < max)
				vtd_fault_decode(lo, hi, &out[n]);
			n++;
			vtd_hw_write32(u, off + 12, (u32)(VTD_FRCD_F >> 32));
		}
	}
	if (fsts & VTD_FSTS_PFO)
		vtd_hw_write32(u, VTD_REG_FSTS, VTD_FSTS_PFO);
	return n;
}

void vtd_fault_handle(void)
{
	char line[160];

	spin_lock(&fault_lock);
	for (unsigned i = 0; i < vtd_sys.nr_units; i++) {
		struct vtd_unit *u = &vtd_sys.units[i];
		struct vtd_fault f[8];
		unsigned n, dropped;

		if (!u->regs)
			continue;
		while ((n = vtd_unit_fault_drain(u, f, ARRAY_SIZE(f))) != 0) {
			u->nr_faults += n;
			faults_total += n;
			for (unsigned k = 0; k < n && k < ARRAY_SIZE(f); k++) {
				fault_last = f[k];
				bool ok = vtd_ratelimit_allow(&u->rl, vtd_hw_now_us(), FAULT_WINDOW_US,
							      VTD_FAULT_BURST, &dropped);

				if (dropped)
					printk("VT-d: unit %u: %u faults not logged (rate limit)\n", i,
					       dropped);
				if (ok) {
					vtd_fault_format(&f[k], line, sizeof(line));
					printk("VT-d: unit %u fault: %s\n", i, line);
				}
			}
			if (n < ARRAY_SIZE(f))
				break;
		}
	}
	spin_unlock(&fault_lock);
}

u64 vtd_fault_count(void)
{
	return __atomic_load_n(&faults_total, __ATOMIC_RELAXED);
}

bool vtd_fault_last(struct vtd_fault *f)
{
	bool any;

	spin_lock(&fault_lock);
	any = faults_total != 0;
	if (any)
		*f = fault_last;
	spin_unlock(&fault_lock);
	return any;
}
