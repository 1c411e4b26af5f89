/* RAM: every 64-byte line of our RAM holds a distinct value; beyond RAM the VM must be stopped. */
#include "selftest.h"

#define LOW_RAM_START 0x10000u /* above the boot info (0x6000) and trampoline (0x8000) pages */
#define LOW_RAM_END 0x9F000u
#define HIGH_RAM_START 0x100000u
#define LINE 64u
#define OUTSIDE_OFFSET (16u << 20)

static u32 pattern(u32 addr, u32 seed)
{
	return (addr * 0x9E3779B1u) ^ seed; /* odd multiplier: distinct for every address */
}

/* Returns the number of lines that read back wrong; *first gets the first bad address. */
static u32 ram_check(u32 start, u32 end, u32 seed, u32 *first)
{
	u32 bad = 0;

	for (u32 a = start; a + 4 <= end; a += LINE)
		*(volatile u32 *)a = pattern(a, seed);
	for (u32 a = start; a + 4 <= end; a += LINE) {
		if (*(volatile u32 *)a != pattern(a, seed)) {
			if (!bad)
				*first = a;
			bad++;
		}
	}
	return bad;
}

static void ram_test(const char *what, u32 start, u32 end)
{
	u32 first = 0, bad = 0;

	if (start < end)
		bad = ram_check(start, end, 0xA5C3F00Fu, &first);
	if (bad)
		test_diag("%u bad lines, first at %p", bad, (void *)first);
	test_report(start < end && !bad, "%s RAM %p-%p usable (a distinct dword per %u bytes)",
		    what, (void *)start, (void *)end, LINE);
}

void mem_tests(void)
{
	u32 image_end = ALIGN_UP((u32)__image_end, LINE);
	u32 ram_end = mboot_ram_end();

	if (!mboot_has_mem())
		test_diag("boot info has no mem_upper");
	ram_test("high", image_end > HIGH_RAM_START ? image_end : HIGH_RAM_START, ram_end);
	ram_test("low", LOW_RAM_START, LOW_RAM_END);
}

void outside_access(void)
{
	u32 addr = mboot_ram_end() + OUTSIDE_OFFSET;
	u32 v;

	test_diag("accessing outside RAM");
	console_flush();
	v = *(volatile u32 *)addr;
	test_fail_unnumbered("still running after access outside RAM (read %#x at %p)", v, (void *)addr);
	power_off();
}

/* Misbehave on purpose: with an empty IDT, #BP escalates to a triple fault. */
void triple_fault(void)
{
	struct __attribute__((packed)) { u16 limit; u32 base; } empty = { 0, 0 };

	test_diag("triple fault next");
	console_flush();
	asm volatile("lidt %0; int3" : : "m"(empty));
	test_fail_unnumbered("still running after a triple fault");
	power_off();
}
