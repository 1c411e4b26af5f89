/*
 * A pre-launched VM's CMOS RTC (include/vrtc.h). Writes to the time
 * registers are dropped: the clock is the VM's age, shown in the format
 * register B asks for (BCD or binary, 24 or 12 hours).
 */
#include "lib.h"
#include "lapic.h"
#include "vm.h"
#include "vm_unit.h"
#include "vrtc.h"
#include "x86.h"

#define REG_A		0x0A
#define REG_B		0x0B
#define REG_C		0x0C
#define REG_D		0x0D
#define REG_CENTURY	0x32
#define B_BINARY	BIT(2)
#define B_24H		BIT(1)
#define A_DIVIDER	0x26	/* 32.768 kHz time base, 1024 Hz rate; UIP (bit 7) never set */
#define D_VRT		0x80	/* valid RAM and time */

void vrtc_reset(struct vrtc *r, u64 start_tsc)
{
	memset(r->ram, 0, sizeof(r->ram));
	r->index = 0;
	r->start_tsc = start_tsc;
	r->ram[REG_A] = A_DIVIDER;
	r->ram[REG_B] = B_24H;
}

static u8 fmt(const struct vrtc *r, unsigned v)
{
	return (r->ram[REG_B] & B_BINARY) ? (u8)v : (u8)(((v / 10) << 4) | (v % 10));
}

static bool leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 2000-01-01 into year, month (1-12), day (1-31). */
static void civil(u64 days, unsigned *year, unsigned *month, unsigned *day)
{
	static const u8 mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned y = VRTC_EPOCH_YEAR, m = 0;

	while (days >= (leap(y) ? 366u : 365u))
		days -= leap(y++) ? 366 : 365;
	while (days >= (u64)mdays[m] + (m == 1 && leap(y))) {
		days -= mdays[m] + (m == 1 && leap(y));
		m++;
	}
	*year = y;
	*month = m + 1;
	*day = (unsigned)days + 1;
}

u8 vrtc_reg_read(const struct vrtc *r, u8 reg, u64 secs)
{
	unsigned y, mo, d, h = (unsigned)(secs / 3600 % 24);

	switch (reg) {
	case 0x00:
		return fmt(r, (unsigned)(secs % 60));
	case 0x02:
		return fmt(r, (unsigned)(secs / 60 % 60));
	case 0x04:
		if (r->ram[REG_B] & B_24H)
			return fmt(r, h);
		/* 12-hour: 12, 1..11, bit 7 for PM */
		return (u8)(fmt(r, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0));
	case 0x06:
		return fmt(r, (unsigned)((secs / 86400 + 6) % 7) + 1);	/* 2000-01-01: Saturday */
	case 0x07:
	case 0x08:
	case 0x09:
	case REG_CENTURY:
		civil(secs / 86400, &y, &mo, &d);
		return fmt(r, reg == 0x07 ? d : reg == 0x08 ? mo : reg == 0x09 ? y % 100 : y / 100);
	case 0x01:
	case 0x03:
	case 0x05:
		return r->ram[reg];	/* alarms: kept, never fire */
	case REG_C:
		return 0;		/* no interrupt flags */
	case REG_D:
		return D_VRT;
	default:
		return reg < sizeof(r->ram) ? r->ram[reg] : 0xFF;
	}
}

void vrtc_reg_write(struct vrtc *r, u8 reg, u8 val)
{
	switch (reg) {
	case REG_A:
		r->ram[REG_A] = val & 0x7F;	/* UIP is read-only */
		return;
	case 0x00:
	case 0x02:
	case 0x04:
	case 0x06:
	case 0x07:
	case 0x08:
	case 0x09:
	case REG_C:
	case REG_D:
	case REG_CENTURY:
		return;		/* the clock is the VM's age; flags are read-only */
	default:
		if (reg < sizeof(r->ram))
			r->ram[reg] = val;
	}
}

static int vrtc_read(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 *val)
{
	struct vrtc *r = &v->vm->vrtc;

	(void)opaque;
	(void)size;
	if (port == VRTC_PORT) {
		*val = 0xFF;	/* the index register is write-only */
		return 0;
	}
	spin_lock(&r->lock);
	*val = vrtc_reg_read(r, r->index, (rdtsc() - r->start_tsc) / (tsc_khz * 1000));
	spin_unlock(&r->lock);
	return 0;
}

static int vrtc_write(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 val)
{
	struct vrtc *r = &v->vm->vrtc;

	(void)opaque;
	(void)size;
	spin_lock(&r->lock);
	if (port == VRTC_PORT)
		r->index = val & 0x7F;	/* bit 7 would mask NMIs: nothing to mask here */
	else
		vrtc_reg_write(r, r->index, (u8)val);
	spin_unlock(&r->lock);
	return 0;
}

static int vrtc_init(struct vm *vm)
{
	vrtc_reset(&vm->vrtc, rdtsc());
	return vm_register_pio(vm, VRTC_PORT, 2, vrtc_read, vrtc_write, NULL);
}

const struct vm_unit vrtc_unit = { .name = "CMOS RTC", .kinds = BIT(VM_PRE_LAUNCHED), .init = vrtc_init };
