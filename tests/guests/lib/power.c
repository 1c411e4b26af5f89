/* Power off: the contract's PM1a_CNT write, plus the emulators' own exits for bare runs. */
#include "power.h"
#include "console.h"
#include "mboot.h"
#include "test.h"
#include "x86.h"

void power_off(void)
{
	console_flush();
	outw(PM1A_CNT_PORT, PM1A_CNT_SLP_S5);
	if (mboot_arg_u32("qemu", 0))
		outb(QEMU_DEBUG_EXIT_PORT, test_failures() ? 1 : 0);
	if (mboot_arg_u32("bochs", 0)) {
		for (const char *s = "Shutdown"; *s; s++)
			outb(BOCHS_SHUTDOWN_PORT, (u8)*s);
	}
	cpu_halt_forever();
}

void guest_exit(void)
{
	test_plan_check();
	power_off();
}
