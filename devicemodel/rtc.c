/* MC146818 RTC/CMOS model (include/rtc.h). */
#include <stdbool.h>
#include <string.h>

#include "rtc.h"

void rtc_init(struct rtc *r)
{
	memset(r, 0, sizeof(*r));
	r->cmos[RTC_REG_A] = 0x26;		/* 32.768 kHz, 1024 Hz */
	r->cmos[RTC_REG_B] = RTC_B_24H;		/* BCD, 24 hour */
	r->cmos[RTC_REG_D] = RTC_D_VRT;
}

static uint8_t to_bcd(unsigned v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static unsigned from_bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0x0F);
}

static uint8_t fmt(const struct rtc *r, unsigned v)
{
	return (r->cmos[RTC_REG_B] & RTC_B_BIN) ? (uint8_t)v : to_bcd(v);
}

static unsigned parse(const struct rtc *r, uint8_t v)
{
	return (r->cmos[RTC_REG_B] & RTC_B_BIN) ? v : from_bcd(v);
}

static uint8_t hour_reg(const struct rtc *r, unsigned h)
{
	unsigned h12;

	if (r->cmos[RTC_REG_B] & RTC_B_24H)
		return fmt(r, h);
	h12 = h % 12 ? h % 12 : 12;
	return (uint8_t)(fmt(r, h12) | (h >= 12 ? 0x80 : 0));
}

static bool is_time_reg(unsigned i)
{
	return i <= RTC_YEAR || i == RTC_CENTURY;
}

uint8_t rtc_read(struct rtc *r, unsigned port, time_t now)
{
	unsigned i = r->index;
	time_t t = now + (time_t)r->offset;
	struct tm tm;

	if (!(port & 1))
		return 0xFF;	/* the index port is write-only */
	if (i == RTC_REG_C)
		return 0;
	if (i == RTC_REG_A)
		return r->cmos[i] & ~RTC_A_UIP;
	if (!is_time_reg(i) || (i & 1 && i < RTC_WDAY))	/* alarms are plain memory */
		return r->cmos[i];
	gmtime_r(&t, &tm);
	switch (i) {
	case RTC_SEC: return fmt(r, (unsigned)tm.tm_sec);
	case RTC_MIN: return fmt(r, (unsigned)tm.tm_min);
	case RTC_HOUR: return hour_reg(r, (unsigned)tm.tm_hour);
	case RTC_WDAY: return fmt(r, (unsigned)tm.tm_wday + 1);
	case RTC_MDAY: return fmt(r, (unsigned)tm.tm_mday);
	case RTC_MON: return fmt(r, (unsigned)tm.tm_mon + 1);
	case RTC_YEAR: return fmt(r, (unsigned)(tm.tm_year + 1900) % 100);
	default: return fmt(r, (unsigned)(tm.tm_year + 1900) / 100);	/* century */
	}
}

/* A write to one time field: the clock moves by the difference. */
static void set_field(struct rtc *r, unsigned i, uint8_t v, time_t now)
{
	time_t t = now + (time_t)r->offset;
	struct tm tm;
	unsigned n;

	gmtime_r(&t, &tm);
	if (i == RTC_HOUR && !(r->cmos[RTC_REG_B] & RTC_B_24H)) {
		n = parse(r, v & 0x7F) % 12 + ((v & 0x80) ? 12 : 0);
	} else {
		n = parse(r, v);
	}
	switch (i) {
	case RTC_SEC: tm.tm_sec = (int)n; break;
	case RTC_MIN: tm.tm_min = (int)n; break;
	case RTC_HOUR: tm.tm_hour = (int)n; break;
	case RTC_WDAY: return;		/* derived from the date */
	case RTC_MDAY: tm.tm_mday = (int)n; break;
	case RTC_MON: tm.tm_mon = (int)n - 1; break;
	case RTC_YEAR: tm.tm_year = (tm.tm_year + 1900) / 100 * 100 + (int)n - 1900; break;
	default: tm.tm_year = (int)n * 100 + (tm.tm_year + 1900) % 100 - 1900; break;
	}
	r->offset = (int64_t)(timegm(&tm) - now);
}

void rtc_write(struct rtc *r, unsigned port, uint8_t v, time_t now)
{
	unsigned i = r->index;

	if (!(port & 1)) {
		r->index = v & 0x7F;
		return;
	}
	if (i == RTC_REG_C || i == RTC_REG_D)
		return;		/* read-only */
	if (i == RTC_REG_A) {
		r->cmos[i] = v & ~RTC_A_UIP;
		return;
	}
	if (is_time_reg(i) && !(i & 1 && i < RTC_WDAY)) {
		set_field(r, i, v, now);
		return;
	}
	r->cmos[i] = v;
}
