/* The device model's pure device models: 16550, RTC, PCI config space, e820 and boot setup. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dm_boot.h"
#include "vacpi.h"
#include "pcicfg.h"
#include "rtc.h"
#include "uart16550.h"

static char out[64];
static unsigned out_len;

static void tx(void *ctx, uint8_t b)
{
	(void)ctx;
	if (out_len < sizeof(out) - 1)
		out[out_len++] = (char)b;
}

/* What Linux's 8250 autoconfig and console do, answered as a 16550A. */
static void test_uart_probe(void **state)
{
	struct uart16550 u;

	(void)state;
	uart_init(&u, tx, NULL);
	uart_write(&u, UART_SCR, 0xA5);
	assert_int_equal(uart_read(&u, UART_SCR), 0xA5);
	uart_write(&u, UART_IER, 0xFF);
	assert_int_equal(uart_read(&u, UART_IER), 0x0F);	/* low four bits only: no 16750 */
	uart_write(&u, UART_IER, 0);
	/* loopback: MSR mirrors MCR (RTS->CTS, OUT2->DCD) */
	uart_write(&u, UART_MCR, UART_MCR_LOOP | 0x0A);
	assert_int_equal(uart_read(&u, UART_MSR) & 0xF0, 0x90);
	uart_write(&u, UART_MCR, 0);
	assert_int_equal(uart_read(&u, UART_MSR) & 0xF0, 0xB0);
	/* FIFO bits in the IIR once enabled */
	assert_int_equal(uart_read(&u, UART_IIR_FCR), UART_IIR_NONE);
	uart_write(&u, UART_IIR_FCR, UART_FCR_ENABLE);
	assert_int_equal(uart_read(&u, UART_IIR_FCR), UART_IIR_FIFO | UART_IIR_NONE);
	/* divisor latch */
	uart_write(&u, UART_LCR, UART_LCR_DLAB | 3);
	uart_write(&u, UART_RBR_THR, 1);
	uart_write(&u, UART_IER, 0);
	assert_int_equal(uart_read(&u, UART_RBR_THR), 1);
	assert_int_equal(u.dlm, 0);
	uart_write(&u, UART_LCR, 3);
	assert_int_equal(out_len, 0);	/* nothing was transmitted by the divisor write */
	assert_int_equal(uart_read(&u, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
}

static void test_uart_tx_and_thre_irq(void **state)
{
	struct uart16550 u;

	(void)state;
	out_len = 0;
	uart_init(&u, tx, NULL);
	uart_write(&u, UART_RBR_THR, 'h');
	uart_write(&u, UART_RBR_THR, 'i');
	assert_int_equal(out_len, 2);
	assert_memory_equal(out, "hi", 2);
	assert_false(uart_irq_pending(&u));	/* IER.THRI off */
	uart_write(&u, UART_MCR, UART_MCR_OUT2);
	uart_write(&u, UART_IER, UART_IER_THRI);	/* THR empty: raised at once */
	assert_true(uart_irq_line(&u));
	assert_int_equal(uart_read(&u, UART_IIR_FCR), UART_IIR_THRI);
	assert_false(uart_irq_line(&u));		/* reading the IIR took it */
	assert_int_equal(uart_read(&u, UART_IIR_FCR), UART_IIR_NONE);
	uart_write(&u, UART_RBR_THR, '!');		/* sent at once: empty again */
	assert_true(uart_irq_line(&u));
	uart_write(&u, UART_MCR, 0);			/* OUT2 gates the line, not the IIR */
	assert_false(uart_irq_line(&u));
	assert_true(uart_irq_pending(&u));
	assert_int_equal(u.tx_bytes, 3);
}

static void test_uart_rx(void **state)
{
	struct uart16550 u;

	(void)state;
	uart_init(&u, tx, NULL);
	uart_write(&u, UART_MCR, UART_MCR_OUT2);
	uart_write(&u, UART_IER, UART_IER_RDI);
	assert_false(uart_irq_line(&u));
	assert_true(uart_receive(&u, 'a'));
	assert_true(uart_irq_line(&u));
	assert_int_equal(uart_read(&u, UART_IIR_FCR), UART_IIR_RDI);
	assert_int_equal(uart_read(&u, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	assert_int_equal(uart_read(&u, UART_RBR_THR), 'a');
	assert_false(uart_irq_line(&u));
	assert_int_equal(uart_read(&u, UART_LSR) & UART_LSR_DR, 0);
	for (unsigned i = 0; i < UART_RX_FIFO; i++)
		assert_true(uart_receive(&u, (uint8_t)i));
	assert_false(uart_receive(&u, 0xFF));		/* full: lost, overrun */
	assert_int_equal(uart_read(&u, UART_LSR) & UART_LSR_OE, UART_LSR_OE);
	assert_int_equal(uart_read(&u, UART_LSR) & UART_LSR_OE, 0);
	uart_write(&u, UART_IIR_FCR, UART_FCR_ENABLE | UART_FCR_CLR_RX);
	assert_int_equal(uart_read(&u, UART_LSR) & UART_LSR_DR, 0);
	/* loopback: transmitted bytes come back, nothing goes out */
	out_len = 0;
	uart_write(&u, UART_MCR, UART_MCR_LOOP);
	uart_write(&u, UART_RBR_THR, 'x');
	assert_int_equal(out_len, 0);
	assert_int_equal(uart_read(&u, UART_RBR_THR), 'x');
}

static uint8_t rtc_get(struct rtc *r, unsigned idx, time_t now)
{
	rtc_write(r, 0x70, (uint8_t)(idx | 0x80), now);	/* NMI mask bit ignored */
	return rtc_read(r, 0x71, now);
}

static void rtc_set(struct rtc *r, unsigned idx, uint8_t v, time_t now)
{
	rtc_write(r, 0x70, (uint8_t)idx, now);
	rtc_write(r, 0x71, v, now);
}

static void test_rtc(void **state)
{
	struct rtc r;
	time_t now = 1767225599;	/* 2025-12-31 23:59:59 UTC, a Wednesday */

	(void)state;
	rtc_init(&r);
	assert_int_equal(rtc_get(&r, RTC_REG_A, now) & RTC_A_UIP, 0);
	assert_int_equal(rtc_get(&r, RTC_REG_B, now), RTC_B_24H);
	assert_int_equal(rtc_get(&r, RTC_REG_C, now), 0);
	assert_int_equal(rtc_get(&r, RTC_REG_D, now), RTC_D_VRT);
	/* BCD, 24 hour */
	assert_int_equal(rtc_get(&r, RTC_SEC, now), 0x59);
	assert_int_equal(rtc_get(&r, RTC_MIN, now), 0x59);
	assert_int_equal(rtc_get(&r, RTC_HOUR, now), 0x23);
	assert_int_equal(rtc_get(&r, RTC_WDAY, now), 4);
	assert_int_equal(rtc_get(&r, RTC_MDAY, now), 0x31);
	assert_int_equal(rtc_get(&r, RTC_MON, now), 0x12);
	assert_int_equal(rtc_get(&r, RTC_YEAR, now), 0x25);
	assert_int_equal(rtc_get(&r, RTC_CENTURY, now), 0x20);
	/* binary, 12 hour */
	rtc_set(&r, RTC_REG_B, RTC_B_BIN, now);
	assert_int_equal(rtc_get(&r, RTC_HOUR, now), 0x80 | 11);
	assert_int_equal(rtc_get(&r, RTC_MDAY, now), 31);
	/* setting a field moves the clock; C and D stay read-only; RAM is memory */
	rtc_set(&r, RTC_REG_B, RTC_B_24H, now);
	rtc_set(&r, RTC_YEAR, 0x30, now);
	assert_int_equal(rtc_get(&r, RTC_YEAR, now), 0x30);
	assert_int_equal(rtc_get(&r, RTC_SEC, now + 10), 0x09);
	rtc_set(&r, RTC_REG_D, 0, now);
	assert_int_equal(rtc_get(&r, RTC_REG_D, now), RTC_D_VRT);
	rtc_set(&r, 0x40, 0x5A, now);
	assert_int_equal(rtc_get(&r, 0x40, now), 0x5A);
	rtc_set(&r, 0x01, 0x33, now);			/* alarm seconds: memory */
	assert_int_equal(rtc_get(&r, 0x01, now), 0x33);
	assert_int_equal(rtc_read(&r, 0x70, now), 0xFF);
}

static void test_pcicfg(void **state)
{
	static struct pcicfg p;
	unsigned bus, dev, fn, reg;

	(void)state;
	pcicfg_init(&p);
	assert_int_equal(pcicfg_add(&p, 0, 0, 0x8086, 0x5AF0, 0x060000, 0), 0);
	assert_int_equal(pcicfg_add(&p, 1, 0, 0x8086, 0x7000, 0x060100, 0), 0);
	assert_int_equal(pcicfg_add(&p, 1, 0, 0x8086, 0x7000, 0x060100, 0), -1);
	assert_int_equal(pcicfg_add(&p, 32, 0, 1, 1, 0, 0), -1);
	assert_int_equal(pcicfg_read(&p, 0, 0, 0, 0, 4), 0x5AF08086);
	assert_int_equal(pcicfg_read(&p, 0, 0, 0, 2, 2), 0x5AF0);
	assert_int_equal(pcicfg_read(&p, 0, 1, 0, 8, 4), 0x06010000);
	assert_int_equal(pcicfg_read(&p, 0, 1, 0, 0x0B, 1), 0x06);
	/* absent functions, other buses, bad sizes and misaligned: all ones */
	assert_int_equal(pcicfg_read(&p, 0, 2, 0, 0, 4), 0xFFFFFFFF);
	assert_int_equal(pcicfg_read(&p, 0, 0, 1, 0, 2), 0xFFFF);
	assert_int_equal(pcicfg_read(&p, 1, 0, 0, 0, 1), 0xFF);
	assert_int_equal(pcicfg_read(&p, 0, 0, 0, 1, 2), 0xFFFF);
	assert_int_equal(pcicfg_read(&p, 0, 0, 0, 0, 3), 0xFFFFFFFF);
	assert_int_equal(p.absent_reads, 5);
	/* only the writable bits change */
	pcicfg_write(&p, 0, 0, 0, 4, 4, 0xFFFFFFFF);
	assert_int_equal(pcicfg_read(&p, 0, 0, 0, 4, 4), 0x7);
	pcicfg_write(&p, 0, 0, 0, 0, 4, 0);
	assert_int_equal(pcicfg_read(&p, 0, 0, 0, 0, 4), 0x5AF08086);
	pcicfg_write(&p, 0, 1, 0, 0x3C, 1, 0x0B);
	assert_int_equal(pcicfg_read(&p, 0, 1, 0, 0x3C, 1), 0x0B);
	pcicfg_write(&p, 0, 9, 0, 0x3C, 1, 0x0B);
	assert_int_equal(p.dropped_writes, 1);
	pcicfg_ecam_decode(0x10A123, &bus, &dev, &fn, &reg);
	assert_int_equal(bus, 1);
	assert_int_equal(dev, 1);
	assert_int_equal(fn, 2);
	assert_int_equal(reg, 0x123);
	assert_int_equal(pcicfg_read(&p, 0, 0, 0, 0x100, 4), 0xFFFFFFFF);	/* no extended space */
}

static void test_e820(void **state)
{
	static struct e820_map m;

	(void)state;
	assert_int_equal(dm_e820_build(128ULL << 20, &m), 0);
	assert_int_equal(m.n, 4);
	assert_true(m.e[0].addr == 0 && m.e[0].size == 0xA0000 && m.e[0].type == E820_RAM);
	assert_true(m.e[1].addr == 0xE0000 && m.e[1].size == 0x20000 && m.e[1].type == E820_RESERVED);
	assert_true(m.e[2].addr == 0x100000 && m.e[2].size == (128ULL << 20) - 0x100000 &&
		    m.e[2].type == E820_RAM);
	assert_true(m.e[3].addr == DM_ECAM_BASE && m.e[3].size == DM_ECAM_SIZE &&
		    m.e[3].type == E820_RESERVED);
	assert_int_equal(dm_e820_build(DM_PCI_HOLE, &m), 0);
	assert_int_equal(dm_e820_build(DM_PCI_HOLE + (2ULL << 20), &m), -1);	/* no RAM above 4 GiB yet */
	assert_int_equal(dm_e820_build(3ULL << 20, &m), -1);			/* not 2 MiB aligned */
	assert_int_equal(dm_e820_build(0, &m), -1);
}

/* A minimal bzImage header (boot protocol 2.12, 64-bit, relocatable) around a tiny kernel. */
static void test_boot_linux(void **state)
{
	const uint64_t mem = 128ULL << 20;
	uint8_t *ram = calloc(1, mem), *img = calloc(1, 0x2000);
	struct vcpu_boot_state st;
	char why[DM_BOOT_WHY_LEN];
	uint64_t rsdp;

	(void)state;
	img[0x1F1] = 1;				/* setup_sects: the kernel starts at 0x400 */
	img[0x1FE] = 0x55;
	img[0x200] = 0xEB;			/* jmp: the header ends at 0x202 + 0x66 */
	img[0x201] = 0x66;
	img[0x1FF] = 0xAA;
	memcpy(img + 0x202, "HdrS", 4);
	img[0x206] = 0x0C;			/* 2.12 */
	img[0x207] = 0x02;
	img[0x211] = 1;				/* LOADED_HIGH */
	img[0x22C] = 0xFF; img[0x22D] = 0xFF; img[0x22E] = 0xFF; img[0x22F] = 0x7F;	/* initrd_addr_max */
	img[0x232] = 0x20;			/* kernel_alignment 2 MiB */
	img[0x234] = 1;				/* relocatable */
	img[0x236] = 1;				/* XLF_KERNEL_64 */
	img[0x238] = 0xFF; img[0x239] = 0x07;	/* cmdline_size */
	img[0x25A] = 0x00; img[0x25B] = 0x01;	/* pref_address 16 MiB */
	img[0x260] = 0x00; img[0x261] = 0x00; img[0x262] = 0x10;	/* init_size 1 MiB */
	memset(img + 0x400, 0xF4, 16);		/* hlt */
	if (dm_boot_linux(ram, mem, 1, NULL, 0, img, 0x2000, "INITRD", 6, "console=ttyS0", &st, why, sizeof(why)))
		fail_msg("%s", why);
	assert_int_equal(st.mode, VCPU_BOOT_LONG64);
	assert_int_equal(st.rip, 0x1000000 + 0x200);
	assert_int_equal(st.rsi, 0x7000);
	assert_memory_equal(ram + 0x1000000, img + 0x400, 16);
	assert_memory_equal(ram + 0xE0000, "RSD PTR ", 8);
	memcpy(&rsdp, ram + 0x7000 + 0x70, 8);
	assert_int_equal(rsdp, 0xE0000);
	assert_string_equal((char *)ram + 0x20000, "console=ttyS0");
	assert_null(memmem(ram + 0xE0000, 0x20000, "_PRT", 4));	/* no passthrough INTx: no _PRT */
	/* a passthrough function's INTx: slot 7 INTA -> GSI 16 in the root bridge's _PRT */
	{
		const struct vacpi_prt_entry prt[] = { { .dev = 7, .pin = 0, .gsi = 16 } };
		const struct vacpi_prt_entry bad[] = { { .dev = 7, .pin = 0, .gsi = 24 } };
		const uint8_t *at;

		memset(ram + 0xE0000, 0, 0x20000);
		if (dm_boot_linux(ram, mem, 1, prt, 1, img, 0x2000, NULL, 0, "", &st, why, sizeof(why)))
			fail_msg("%s", why);
		at = memmem(ram + 0xE0000, 0x20000, "_PRT", 4);
		assert_non_null(at);
		/* Package (1) { Package (4) { 0x0007FFFF, 0, 0, 16 } } */
		assert_non_null(memmem(at, 64, "\x0c\xff\xff\x07\x00", 5));
		assert_non_null(memmem(at, 64, "\x0a\x10", 2));
		/* a GSI beyond the vIOAPIC's 24 pins: refused */
		assert_int_equal(dm_boot_linux(ram, mem, 1, bad, 1, img, 0x2000, NULL, 0, "", &st, why,
					       sizeof(why)), -1);
	}
	/* not a kernel: a reason, nothing claimed */
	memset(img + 0x202, 0, 4);
	assert_int_equal(dm_boot_linux(ram, mem, 1, NULL, 0, img, 0x2000, NULL, 0, "", &st, why, sizeof(why)), -1);
	assert_true(strlen(why) > 0);
	free(ram);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uart_probe),
		cmocka_unit_test(test_uart_tx_and_thre_irq),
		cmocka_unit_test(test_uart_rx),
		cmocka_unit_test(test_rtc),
		cmocka_unit_test(test_pcicfg),
		cmocka_unit_test(test_e820),
		cmocka_unit_test(test_boot_linux),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
