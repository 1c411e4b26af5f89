/* Capability register decode (pure). */
#include "lib.h"
#include "vtd_regs.h"

static u64 field(u64 v, unsigned lo, unsigned bits)
{
	return (v >> lo) & ((1ULL << bits) - 1);
}

void vtd_caps_decode(u64 cap, u64 ecap, struct vtd_caps *c)
{
	memset(c, 0, sizeof(*c));
	c->nr_domains = 1u << (4 + 2 * field(cap, 0, 3));
	c->rwbf = cap & BIT(4);
	c->cm = cap & BIT(7);
	c->sagaw = field(cap, 8, 5);
	c->mgaw = field(cap, 16, 6) + 1;
	c->fro = field(cap, 24, 10);
	c->sl_2m = cap & BIT(34);
	c->sl_1g = cap & BIT(35);
	c->psi = cap & BIT(39);
	c->nr_fault_regs = field(cap, 40, 8) + 1;
	c->mamv = field(cap, 48, 6);
	c->drain_write = cap & BIT(54);
	c->drain_read = cap & BIT(55);

	c->coherent = ecap & BIT(0);
	c->qi = ecap & BIT(1);
	c->ir = ecap & BIT(3);
	c->eim = ecap & BIT(4);
	c->pt = ecap & BIT(6);
	c->sc = ecap & BIT(7);
	c->iro = field(ecap, 8, 10);
}

bool vtd_caps_has_levels(const struct vtd_caps *c, unsigned levels)
{
	/* SAGAW bit n: (n + 1)-level tables; bits 1..3 are 3..5 levels */
	return levels >= 3 && levels <= 5 && (c->sagaw & BIT(levels - 2));
}
