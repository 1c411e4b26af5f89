/*
 * The console's output rings (arch/x86/console.c) against a fake 16550
 * whose FIFO room the test sets: writers never touch the UART beyond the
 * room it offers, lines of different sources never mix, a full ring drops
 * whole lines and says so once, in place, and a flush sends everything.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "console.h"

/* ---- the fake UART ---- */
static char sent[65536];
static size_t nsent;
static unsigned room;			/* FIFO room the fake UART offers */
static unsigned over;			/* bytes put beyond the room offered */
static unsigned offered;

unsigned uart_tx_room(void)
{
	offered = room;
	return room;
}

void uart_tx_put(char c)
{
	if (!offered)
		over++;
	else
		offered--;
	if (nsent < sizeof(sent))
		sent[nsent++] = c;
}

bool uart_tx_idle(void) { return true; }

static void reset_uart(unsigned r)
{
	nsent = 0;
	over = 0;
	room = r;
	memset(sent, 0, sizeof(sent));
}

static const char *out(void)
{
	sent[nsent < sizeof(sent) ? nsent : sizeof(sent) - 1] = '\0';
	return sent;
}

static void drain(void)
{
	/* kicks (writers', VMs' COM1 accesses, an idle CPU's) while the UART offers room */
	for (int i = 0; i < 10000; i++)
		console_kick();
}

static void test_hv_line(void **state)
{
	(void)state;
	reset_uart(16);
	console_write("hello\n", 6);
	drain();
	assert_string_equal(out(), "hello\r\n");
	assert_int_equal(over, 0);
}

/* A full FIFO: the writer queues and returns, the UART is left alone. */
static void test_no_wait_when_busy(void **state)
{
	static char buf[256];
	static struct console_src s;

	(void)state;
	console_src_init(&s, "busy", buf, sizeof(buf));
	assert_int_equal(console_src_add(&s), 0);
	reset_uart(0);
	assert_int_equal(console_put_line(&s, "[busy] a\n", 9), 0);
	console_kick();
	assert_int_equal(nsent, 0);
	assert_int_equal(console_src_pending(&s), 9);	/* kept for the next kick */
	room = 16;
	drain();
	assert_string_equal(out(), "[busy] a\r\n");
}

/* Lines of two VMs and the hypervisor, sent 3 bytes at a time, never mix. */
static void test_lines_whole(void **state)
{
	static char ba[512], bb[512];
	static struct console_src a, b;
	const char *o, *p;

	(void)state;
	console_src_init(&a, "a", ba, sizeof(ba));
	console_src_init(&b, "b", bb, sizeof(bb));
	assert_int_equal(console_src_add(&a), 0);
	assert_int_equal(console_src_add(&b), 0);
	reset_uart(3);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(console_put_line(&a, "[a] aaaaaaaa\n", 13), 0);
		assert_int_equal(console_put_line(&b, "[b] bbbbbbbbbbbb\n", 17), 0);
		console_kick();
	}
	console_write("hv line\n", 8);
	drain();
	assert_int_equal(over, 0);
	o = out();
	assert_int_equal(nsent, 5 * 14 + 5 * 18 + 9);
	/* every line is one source's, whole */
	for (p = o; *p; p = strchr(p, '\n') + 1) {
		if (!strncmp(p, "[a] ", 4))
			assert_int_equal(strncmp(p, "[a] aaaaaaaa\r\n", 14), 0);
		else if (!strncmp(p, "[b] ", 4))
			assert_int_equal(strncmp(p, "[b] bbbbbbbbbbbb\r\n", 18), 0);
		else
			assert_int_equal(strncmp(p, "hv line\r\n", 9), 0);
	}
}

/* A prompt without a newline does not hold the others' lines back; they start a line. */
static void test_prompt_yields(void **state)
{
	static char buf[256];
	static struct console_src s;

	(void)state;
	console_src_init(&s, "vmp", buf, sizeof(buf));
	assert_int_equal(console_src_add(&s), 0);
	reset_uart(16);
	console_write("bh> ", 4);
	drain();
	assert_string_equal(out(), "bh> ");
	assert_int_equal(console_put_line(&s, "[vmp] x\n", 8), 0);
	drain();
	console_write("v", 1);		/* the next typed byte's echo */
	drain();
	assert_string_equal(out(), "bh> \r\n[vmp] x\r\nv");
	console_write("\n", 1);
	drain();
}

/* A full ring drops whole lines, counts them, and says so once where they were lost. */
static void test_drop_and_note(void **state)
{
	static char buf[512];
	static struct console_src s;
	char line[64];
	unsigned dropped = 0, queued = 0;

	(void)state;
	console_src_init(&s, "vmd", buf, sizeof(buf));
	assert_int_equal(console_src_add(&s), 0);
	reset_uart(0);		/* the UART takes nothing meanwhile */
	memset(line, 'x', sizeof(line));
	memcpy(line, "[vmd] ", 6);
	line[39] = '\n';
	for (int i = 0; i < 30; i++) {
		if (console_put_line(&s, line, 40) == 0)
			queued++;
		else
			dropped++;
	}
	assert_int_equal(queued, 512 / 40);
	assert_int_equal(dropped, 30 - queued);
	assert_int_equal(s.dropped, dropped * 40);
	/* room for the line and its note, but less than half the ring free: still dropping */
	room = 16;
	while (console_src_pending(&s) > 512 / 2 + 40)
		console_kick();
	assert_true(512 - console_src_pending(&s) >= 40 + 90);
	assert_int_equal(console_put_line(&s, line, 40), -ENOSPC);
	dropped++;
	drain();
	assert_int_equal(console_put_line(&s, "[vmd] after\n", 12), 0);
	drain();
	{
		char want[128];

		snprintf(want, sizeof(want), "console: vmd: %u bytes of output dropped", dropped * 40);
		assert_non_null(strstr(out(), want));
		assert_non_null(strstr(out(), "dropped (writing faster than the UART sends)\r\n[vmd] after\r\n"));
		/* said once: a single note */
		assert_null(strstr(strstr(out(), "bytes of output dropped") + 1, "bytes of output dropped"));
	}
	assert_int_equal(s.dropping, 0);
	assert_int_equal(over, 0);
}

/* The hypervisor's own log waits for room when its ring is full: nothing of it is lost. */
static void test_hv_ring_full_flushes(void **state)
{
	static char big[CONSOLE_HV_RING + 100];

	(void)state;
	reset_uart(16);
	memset(big, 'h', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	console_write(big, sizeof(big));
	console_flush();
	assert_int_equal(nsent, sizeof(big) + 1);
	assert_int_equal(console_src_pending(&console_hv), 0);
	assert_int_equal(console_hv.dropped, 0);
	assert_int_equal(over, 0);
}

static void test_table_full(void **state)
{
	static char buf[CONSOLE_MAX_SRCS][16];
	static struct console_src s[CONSOLE_MAX_SRCS];
	int last = 0;

	(void)state;
	for (unsigned i = 0; i < CONSOLE_MAX_SRCS; i++) {
		console_src_init(&s[i], "t", buf[i], sizeof(buf[i]));
		last = console_src_add(&s[i]);
	}
	assert_int_equal(last, -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hv_line),
		cmocka_unit_test(test_no_wait_when_busy),
		cmocka_unit_test(test_lines_whole),
		cmocka_unit_test(test_prompt_yields),
		cmocka_unit_test(test_drop_and_note),
		cmocka_unit_test(test_hv_ring_full_flushes),
		cmocka_unit_test(test_table_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
