/*
 * An MC146818 RTC/CMOS model (pure: the time comes from the caller). Port
 * 0x70 selects a register (bit 7 is the NMI mask, ignored), port 0x71 reads
 * or writes it. The time registers show the caller's time of day in the
 * format status B asks for (BCD or binary, 24 or 12 hour); status A never
 * says "update in progress"; C reads 0 (no interrupts); D says the battery
 * is good. Writes to the time registers move the clock by an offset the
 * model keeps; everything else is 128 bytes of CMOS memory.
 */
#ifndef DM_RTC_H
#define DM_RTC_H

#include <stdint.h>
#include <time.h>

#define RTC_SEC		0x00
#define RTC_MIN		0x02
#define RTC_HOUR	0x04
#define RTC_WDAY	0x06
#define RTC_MDAY	0x07
#define RTC_MON		0x08
#define RTC_YEAR	0x09
#define RTC_REG_A	0x0A
#define RTC_REG_B	0x0B
#define RTC_REG_C	0x0C
#define RTC_REG_D	0x0D
#define RTC_CENTURY	0x32

#define RTC_A_UIP	0x80
#define RTC_B_SET	0x80
#define RTC_B_BIN	0x04	/* DM: binary, not BCD */
#define RTC_B_24H	0x02
#define RTC_D_VRT	0x80

struct rtc {
	uint8_t index;
	uint8_t cmos[128];
	int64_t offset;		/* guest time - host time, seconds */
};

void rtc_init(struct rtc *r);
uint8_t rtc_read(struct rtc *r, unsigned port, time_t now);
void rtc_write(struct rtc *r, unsigned port, uint8_t v, time_t now);

#endif
