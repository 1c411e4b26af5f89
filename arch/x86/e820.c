/*
 * E820 map maintenance. The result of a series of adds is, address by
 * address, the highest-priority type added there, so the order of adds does
 * not matter. Updates are done in place (no scratch copy of the 2.5 KiB map
 * on the stack): the final entry count is computed first, then entries are
 * removed before any are inserted, so the map never holds more than
 * max(old, new) entries on the way.
 */
#include "e820.h"
#include "errno.h"
#include "lib.h"

static u64 e820_end(const struct e820_entry *e)
{
	return e->addr + e->size;
}

static unsigned e820_rank(u32 type)
{
	switch (type) {
	case E820_RAM:
		return 0;
	case E820_ACPI:
		return 1;
	case E820_NVS:
		return 2;
	default:
		return 3;
	}
}

/* Does an existing range of type @old keep its place against @new? */
static bool e820_keeps(u32 old, u32 new)
{
	unsigned ro = e820_rank(old), rn = e820_rank(new);

	if (ro != rn)
		return ro > rn;
	return old >= new;
}

static void e820_del(struct e820_map *m, unsigned i)
{
	memmove(&m->e[i], &m->e[i + 1], (m->n - i - 1) * sizeof(m->e[0]));
	m->n--;
}

static void e820_ins(struct e820_map *m, unsigned i, u64 addr, u64 size, u32 type)
{
	memmove(&m->e[i + 1], &m->e[i], (m->n - i) * sizeof(m->e[0]));
	m->e[i].addr = addr;
	m->e[i].size = size;
	m->e[i].type = type;
	m->n++;
}

/* Entries of @type are never carved away, so the old map answers these. */
static bool e820_type_ends_at(const struct e820_map *m, u64 at, u32 type)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->e[i].type == type && e820_end(&m->e[i]) == at)
			return true;
	return false;
}

static bool e820_type_starts_at(const struct e820_map *m, u64 at, u32 type)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->e[i].type == type && m->e[i].addr == at)
			return true;
	return false;
}

/* Entry-count change from filling the gap [gs, ge) with @type. */
static long e820_gap_delta(const struct e820_map *m, u64 gs, u64 ge, u32 type)
{
	return 1 - (long)e820_type_ends_at(m, gs, type) -
	       (long)e820_type_starts_at(m, ge, type);
}

/* Entry count after adding [a, b) of @type, computed without changing @m. */
static long e820_count_after(const struct e820_map *m, u64 a, u64 b, u32 type)
{
	long cnt = m->n;
	u64 pos = a;

	for (unsigned i = 0; i < m->n; i++) {
		const struct e820_entry *e = &m->e[i];
		u64 s = e->addr, en = e820_end(e);

		if (en <= a || s >= b)
			continue;
		if (!e820_keeps(e->type, type)) {
			if (s < a && en > b)
				cnt++;		/* split in two around [a, b) */
			else if (s >= a && en <= b)
				cnt--;		/* swallowed */
			continue;
		}
		if (s > pos)
			cnt += e820_gap_delta(m, pos, s, type);
		pos = MAX(pos, en);
	}
	if (pos < b)
		cnt += e820_gap_delta(m, pos, b, type);
	return cnt;
}

/* Remove [a, b) from every entry that loses against @type. */
static void e820_carve(struct e820_map *m, u64 a, u64 b, u32 type)
{
	unsigned i = 0;
	int split = -1;

	while (i < m->n) {
		struct e820_entry *e = &m->e[i];
		u64 s = e->addr, en = e820_end(e);

		if (en <= a || s >= b || e820_keeps(e->type, type)) {
			i++;
			continue;
		}
		if (s >= a && en <= b) {
			e820_del(m, i);
			continue;
		}
		if (s < a && en > b)
			split = i;	/* the only entry touching [a, b) */
		else if (s < a)
			e->size = a - s;
		else {
			e->addr = b;
			e->size = en - b;
		}
		i++;
	}
	if (split >= 0) {
		struct e820_entry x = m->e[split];

		e820_ins(m, split + 1, b, e820_end(&x) - b, x.type);
		m->e[split].size = a - x.addr;
	}
}

/*
 * Fill the uncovered parts of [a, b) with @type. Pass 0 handles gaps that
 * merge into a neighbour (count shrinks or stays), pass 1 the rest (grows).
 */
static void e820_fill(struct e820_map *m, u64 a, u64 b, u32 type, int pass)
{
	u64 pos = a;

	while (pos < b) {
		unsigned i = 0;
		u64 gs, ge;
		bool left, right;

		while (i < m->n && e820_end(&m->e[i]) <= pos)
			i++;
		if (i < m->n && m->e[i].addr <= pos) {
			pos = e820_end(&m->e[i]);
			continue;
		}
		gs = pos;
		ge = i < m->n ? MIN(m->e[i].addr, b) : b;
		left = i > 0 && m->e[i - 1].type == type && e820_end(&m->e[i - 1]) == gs;
		right = i < m->n && m->e[i].type == type && m->e[i].addr == ge;

		if (pass == 0 && left && right) {
			m->e[i - 1].size = e820_end(&m->e[i]) - m->e[i - 1].addr;
			e820_del(m, i);
		} else if (pass == 0 && left) {
			m->e[i - 1].size += ge - gs;
		} else if (pass == 0 && right) {
			m->e[i].addr = gs;
			m->e[i].size += ge - gs;
		} else if (pass == 1 && !left && !right) {
			e820_ins(m, i, gs, ge - gs, type);
		}
		pos = ge;
	}
}

void e820_init(struct e820_map *m)
{
	memset(m, 0, sizeof(*m));
}

int e820_add(struct e820_map *m, u64 addr, u64 size, u32 type)
{
	u64 end = addr + size;

	if (size == 0 || type == 0 || end < addr || m->n > E820_MAX_ENTRIES)
		return -EINVAL;
	if (e820_count_after(m, addr, end, type) > E820_MAX_ENTRIES)
		return -ENOSPC;

	e820_carve(m, addr, end, type);
	e820_fill(m, addr, end, type, 0);
	e820_fill(m, addr, end, type, 1);
	return 0;
}

const struct e820_entry *e820_find(const struct e820_map *m, u64 addr)
{
	for (unsigned i = 0; i < m->n && i < E820_MAX_ENTRIES; i++)
		if (addr >= m->e[i].addr && addr < e820_end(&m->e[i]))
			return &m->e[i];
	return NULL;
}

bool e820_contains(const struct e820_map *m, u64 addr, u64 size, u32 type)
{
	const struct e820_entry *e = e820_find(m, addr);

	if (!e || e->type != type || addr + size < addr)
		return false;
	return addr + size <= e820_end(e);
}
