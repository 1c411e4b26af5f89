/* The hypervisor's own command line (from the multiboot boot info). */
#ifndef BH_CMDLINE_H
#define BH_CMDLINE_H

#include "types.h"

/* How to end the emulator once every VM has stopped. */
enum hv_exit_method {
	EXIT_NONE,	/* just halt */
	EXIT_BOCHS,	/* "Shutdown" to port 0x8900 */
	EXIT_QEMU,	/* isa-debug-exit at port 0xf4 */
};

struct hv_options {
	int loglevel;		/* LOG_ERR..LOG_DEBUG (0..3) */
	u16 console_port;	/* UART I/O base; 0 when console_none */
	bool console_none;
	enum hv_exit_method exit;
	bool vtd_selftest;	/* run the VT-d self-checks at boot */
	unsigned stats_secs;	/* print exit counters this often (0 = only on request) */
	bool apicv_off;		/* emulate every vLAPIC access even where the CPU virtualizes them */
	unsigned halt_poll_us;	/* the most a halted vCPU polls before it sleeps (0 = never) */
};

/* loglevel 2 (info), console 0x3F8, exit none, no self-test, APICv where the CPU has it, halt polling up to 200 us. */
void cmdline_defaults(struct hv_options *o);

/*
 * Parse whitespace-separated options over the defaults:
 *   loglevel=0..3
 *   console=ttyS0|ttyS1|none|<port, decimal or 0x hex, 1..0xFFFF>
 *   exit=none|bochs|qemu
 *   stats=N            print every VM's exit counters every N seconds (0 = off)
 *   apicv=on|off       off: no APIC virtualization, as on a CPU without it
 *   halt_poll_us=N     a halted vCPU polls up to N us (0..10000) before it sleeps; 0: never
 *   vtd_selftest
 * A word without '=' starting with '/' or '(' is the image path GRUB puts
 * first and is skipped. Every valid option is applied even when others are
 * bad. Returns 0, with a warning naming ignored unknown options in @err
 * (empty if none), or -EINVAL with @err naming the first malformed option's
 * key. @err may be NULL.
 */
int cmdline_parse(const char *s, struct hv_options *o, char *err, size_t errlen);

#endif
