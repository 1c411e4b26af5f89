/*
 * CPUID for host unit tests: the leaves a test sets, 0 for the rest, so a
 * test does not depend on the machine it runs on.
 */
#include <assert.h>
#include <string.h>
#include "lib.h"
#include "x86.h"
#include "fake_cpuid.h"

#define LEAVES 32

static struct { u32 leaf, sub, r[4]; } table[LEAVES];
static unsigned nr, calls;

void fake_cpuid_reset(void)
{
	memset(table, 0, sizeof(table));
	nr = calls = 0;
}

void fake_cpuid_set(u32 leaf, u32 sub, u32 a, u32 b, u32 c, u32 d)
{
	unsigned i = 0;

	while (i < nr && !(table[i].leaf == leaf && table[i].sub == sub))
		i++;
	assert(i < LEAVES);
	if (i == nr)
		nr++;
	table[i].leaf = leaf;
	table[i].sub = sub;
	table[i].r[0] = a, table[i].r[1] = b, table[i].r[2] = c, table[i].r[3] = d;
}

unsigned fake_cpuid_calls(void)
{
	return calls;
}

void cpuid_count(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	calls++;
	*a = *b = *c = *d = 0;
	for (unsigned i = 0; i < nr; i++)
		if (table[i].leaf == leaf && table[i].sub == sub) {
			*a = table[i].r[0], *b = table[i].r[1], *c = table[i].r[2], *d = table[i].r[3];
			return;
		}
}
