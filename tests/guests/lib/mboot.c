/* Multiboot1 info: only flags, mem_upper and the command line are needed by the guests. */
#include "mboot.h"

#define CMDLINE_MAX 512

struct mb1_info {
	u32 flags;
	u32 mem_lower;
	u32 mem_upper;
	u32 boot_device;
	u32 cmdline;
} __packed;

static bool mb_valid;
static u32 mb_flags;
static u32 mb_mem_upper;
static char mb_cmdline[CMDLINE_MAX];

void mboot_init(u32 magic, u32 info_gpa)
{
	const struct mb1_info *mbi = (const struct mb1_info *)info_gpa;

	mb_valid = magic == MB1_BOOT_MAGIC && info_gpa != 0;
	if (!mb_valid)
		return;
	mb_flags = mbi->flags;
	mb_mem_upper = mbi->mem_upper;
	if ((mb_flags & MB1_INFO_CMDLINE) && mbi->cmdline) {
		const char *src = (const char *)mbi->cmdline;
		size_t i;

		for (i = 0; i < CMDLINE_MAX - 1 && src[i]; i++)
			mb_cmdline[i] = src[i];
		mb_cmdline[i] = '\0';
	}
}

bool mboot_valid(void)
{
	return mb_valid;
}

bool mboot_has_mem(void)
{
	return mb_valid && (mb_flags & MB1_INFO_MEM);
}

u32 mboot_mem_upper_kb(void)
{
	return mboot_has_mem() ? mb_mem_upper : 0;
}

u32 mboot_ram_end(void)
{
	u32 kb = mboot_mem_upper_kb();
	const u32 max_kb = (0xFEC00000u - 0x100000u) / 1024; /* stop below the IOAPIC */

	if (kb > max_kb)
		kb = max_kb;
	return 0x100000u + kb * 1024u;
}

const char *mboot_cmdline(void)
{
	return mb_cmdline;
}

bool mboot_arg(const char *key, char *val, size_t size)
{
	const char *p = mb_cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		const char *w = p;

		while (*p && *p != ' ')
			p++;
		/* word is [w, p) */
		size_t k = 0;

		while (key[k] && w + k < p && w[k] == key[k])
			k++;
		if (key[k] || (w + k < p && w[k] != '='))
			continue;
		const char *v = w + k < p ? w + k + 1 : "1";
		const char *vend = w + k < p ? p : v + 1;
		size_t n = 0;

		for (; v < vend && n + 1 < size; v++)
			val[n++] = *v;
		if (size)
			val[n] = '\0';
		return true;
	}
	return false;
}

u32 mboot_arg_u32(const char *key, u32 def)
{
	char buf[24];
	const char *s = buf;
	u32 base = 10, v = 0;

	if (!mboot_arg(key, buf, sizeof(buf)) || !buf[0])
		return def;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return def;
	}
	for (; *s; s++) {
		u32 d;

		if (*s >= '0' && *s <= '9')
			d = (u32)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (u32)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (u32)(*s - 'A' + 10);
		else
			return def;
		v = v * base + d;
	}
	return v;
}
