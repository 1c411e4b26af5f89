/*
 * console guest: the hypervisor's console from a VM's side. Command line:
 *   mode=echo  [timeout=N]  reads lines typed on the hypervisor's UART
 *              (while the shell gives this VM the input), prints each as
 *              "echo: LINE", ends at the line "quit"
 *   mode=flood wait=N run=N prints long lines as fast as it can for N
 *              million TSC ticks, after waiting N million
 *   mode=probe wait=N      times its own lines alone, then (after waiting
 *              N million ticks) while another VM floods: a flooding VM
 *              must not slow another VM's console
 * (timeout and wait in million TSC ticks.)
 */
#include "guest.h"

#define UART_RBR 0
#define UART_IER 1
#define UART_IIR 2
#define UART_LSR_DR BIT(0)
#define IIR_RDA 0x04
#define PROBE_LINES 30

static u64 mticks(u32 m)
{
	return (u64)m * 1000000u;
}

/* Bounded wait for a received byte; -1 on time-out. */
static int read_byte(u64 deadline)
{
	while (!(inb(COM1_BASE + UART_LSR) & UART_LSR_DR))
		if (rdtsc() > deadline)
			return -1;
	return inb(COM1_BASE + UART_RBR);
}

static int read_line(char *buf, u32 size, u64 deadline)
{
	u32 n = 0;
	int c;

	while ((c = read_byte(deadline)) >= 0) {
		if (c == '\r' || c == '\n') {
			if (!n)
				continue;	/* "\r\n": one line */
			buf[n] = '\0';
			return (int)n;
		}
		if (n < size - 1)
			buf[n++] = (char)c;
	}
	return -1;
}

static void echo_mode(void)
{
	u64 deadline = rdtsc() + mticks(mboot_arg_u32("timeout", 20000));
	char line[80];
	bool waited;
	u32 lines = 0;

	test_plan(4);
	/*
	 * Interrupts on while it waits, as a real guest's: Bochs 2.7 takes no
	 * host interrupt (the hypervisor's console, kicks) on a CPU whose guest
	 * runs with IF=0, external-interrupt exiting or not. Its vIOAPIC pins
	 * stay masked, so nothing reaches it.
	 */
	irq_enable();
	outb(COM1_BASE + UART_IER, 0x01);	/* received-data interrupt on: IIR must say so */
	test_diag("console echo: ready for input");
	waited = false;
	while (!(inb(COM1_BASE + UART_LSR) & UART_LSR_DR) && !(waited = rdtsc() > deadline))
		cpu_relax();
	test_report(!waited, "LSR reports received data");
	test_report(!waited && inb(COM1_BASE + UART_IIR) == IIR_RDA,
		    "IIR identifies received data while it waits");
	while (read_line(line, sizeof(line), deadline) >= 0) {
		if (!strcmp(line, "quit"))
			break;
		printf("echo: %s\n", line);
		lines++;
	}
	outb(COM1_BASE + UART_IER, 0x00);
	test_report(lines > 0, "%u line(s) typed on the hypervisor's UART echoed", lines);
	test_report(!strcmp(line, "quit"), "'quit' arrived before the time-out");
}

static void flood_mode(void)
{
	u64 end;
	u32 lines = 0;

	test_plan(1);
	tsc_delay(mticks(mboot_arg_u32("wait", 0)));
	end = rdtsc() + mticks(mboot_arg_u32("run", 100));
	while (rdtsc() < end)
		printf("flood %6u: the quick brown fox jumps over the lazy dog, again and again, "
		       "filling the console as fast as a VM can write its COM1 port\n", lines++);
	test_report(lines > 0, "flooded %u lines", lines);
}

static u64 time_lines(const char *what)
{
	u64 worst = 0;

	for (u32 i = 0; i < PROBE_LINES; i++) {
		u64 t = rdtsc();

		printf("# probe %s %2u: a short line\n", what, i);
		t = rdtsc() - t;
		if (t > worst)
			worst = t;
	}
	return worst;
}

static void probe_mode(void)
{
	u64 alone, flooded, bound;

	test_plan(1);
	alone = time_lines("alone");
	tsc_delay(mticks(mboot_arg_u32("wait", 0)));
	flooded = time_lines("flooded");
	/* emulated ticks (instructions in Bochs): waiting for another VM's line costs tens of thousands */
	bound = alone + (alone >> 1) + 2000;
	test_report(flooded <= bound, "a console line costs %u ticks at most while another VM floods "
		    "(alone %u, bound %u)", (u32)flooded, (u32)alone, (u32)bound);
}

int main(void)
{
	char mode[16];

	if (!mboot_arg("mode", mode, sizeof(mode)))
		mode[0] = '\0';
	if (!strcmp(mode, "echo")) {
		echo_mode();
	} else if (!strcmp(mode, "flood")) {
		flood_mode();
	} else if (!strcmp(mode, "probe")) {
		probe_mode();
	} else {
		test_plan(1);
		test_report(false, "mode=echo|flood|probe on the command line (got '%s')", mode);
	}
	return 0;
}
