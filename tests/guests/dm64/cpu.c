/*
 * dm64's small runtime: COM1 console and printf, TAP lines, hypercalls, the
 * page tables above 1 GiB (hcall64/entry.S maps only the first), a 64-bit
 * IDT, and the xAPIC (EOI for the upcall, a periodic tick for the watchdog).
 */
#include "dm.h"

#define COM1			0x3F8
#define LSR_THRE		0x20
#define LSR_TEMT		0x40
#define PM1A_CNT		0x404
#define PM1A_SLP_S5		0x3400

#define LAPIC_BASE		0xFEE00000UL
#define LAPIC_TPR		0x080
#define LAPIC_EOI		0x0B0
#define LAPIC_SVR		0x0F0
#define LAPIC_LVT_TIMER		0x320
#define LAPIC_TIMER_INIT	0x380
#define LAPIC_TIMER_DIV		0x3E0
#define LAPIC_SVR_ENABLE	0x100
#define LAPIC_TIMER_PERIODIC	(1U << 17)
#define LAPIC_DIV_128		0xA
#define TICK_MS			100

#define PTE_P			0x1ULL
#define PTE_W			0x2ULL
#define PTE_PWT			0x8ULL
#define PTE_PCD			0x10ULL
#define PTE_PS			0x80ULL
#define UNCACHED_FROM		0xFE000000ULL	/* IOAPIC, LAPIC, firmware: not RAM */

#define TSC_KHZ_FALLBACK	2000000ULL

volatile u32 upcalls;
volatile u64 upcall_tsc;
volatile u32 ticks;

static unsigned tap_count, tap_failed;

void *memcpy(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	u8 *d = dst;

	while (n--)
		*d++ = (u8)c;
	return dst;
}

/* ---- console ---- */

static void wait_lsr(u8 bits)
{
	while ((inb(COM1 + 5) & bits) != bits)
		;
}

void dm_putc(char c)
{
	wait_lsr(LSR_THRE);
	outb(COM1, (u8)c);
}

static void put_str(const char *s)
{
	while (*s)
		dm_putc(*s++);
}

static void put_num(u64 v, unsigned base, int width, char pad)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (width-- > n)
		dm_putc(pad);
	while (n)
		dm_putc(buf[--n]);
}

/* %s %c %d %u %x with l/ll, '#', '0' and a width: all dm64 prints. */
void dm_vprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		bool alt = false, lng = false;
		char pad = ' ';
		int width = 0;
		u64 v;

		if (*fmt != '%') {
			dm_putc(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '#')
			alt = true, fmt++;
		if (*fmt == '0')
			pad = '0', fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l')
			lng = true, fmt++;
		switch (*fmt) {
		case 's':
			put_str(va_arg(ap, const char *));
			break;
		case 'c':
			dm_putc((char)va_arg(ap, int));
			break;
		case 'd':
			v = lng ? (u64)va_arg(ap, long) : (u64)(long)va_arg(ap, int);
			if ((s64)v < 0) {
				dm_putc('-');
				v = -v;
			}
			put_num(v, 10, width, pad);
			break;
		case 'u':
			put_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, width, pad);
			break;
		case 'x':
			if (alt)
				put_str("0x");
			put_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, width, pad);
			break;
		case '%':
			dm_putc('%');
			break;
		default:
			dm_putc('?');
			break;
		}
	}
}

void dm_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dm_vprintf(fmt, ap);
	va_end(ap);
}

/* ---- TAP ---- */

static unsigned tap_planned;

void tap_plan(unsigned n)
{
	tap_planned = n;
	dm_printf("1..%u\n", n);
}

const char *errno_name(s64 ret)
{
	static const struct { int e; const char *name; } names[] = {
		{ 0, "0" }, { EPERM, "-EPERM" }, { ENOENT, "-ENOENT" }, { E2BIG, "-E2BIG" },
		{ ENOMEM, "-ENOMEM" }, { EFAULT, "-EFAULT" }, { EBUSY, "-EBUSY" },
		{ EEXIST, "-EEXIST" }, { ENODEV, "-ENODEV" }, { EINVAL, "-EINVAL" },
		{ ENOSPC, "-ENOSPC" }, { ENOSYS, "-ENOSYS" }, { ENOTSUP, "-ENOTSUP" },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
		if (ret == -names[i].e)
			return names[i].name;
	return NULL;
}

static void put_ret(s64 ret)
{
	const char *name = errno_name(ret);

	if (name)
		dm_printf("%s", name);
	else
		dm_printf("%ld", (long)ret);
}

/* One result line; for a hypercall, ": got X" (and ", want Y" when wrong) follows. */
static bool tap_v(bool ok, const s64 *ret, s64 want, const char *fmt, va_list ap)
{
	if (!ok)
		tap_failed++;
	dm_printf("%sok %u - ", ok ? "" : "not ", ++tap_count);
	dm_vprintf(fmt, ap);
	if (ret) {
		dm_printf(": got ");
		put_ret(*ret);
	}
	if (ret && *ret != want) {
		dm_printf(", want ");
		put_ret(want);
	}
	dm_putc('\n');
	return ok;
}

bool tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_v(ok, NULL, 0, fmt, ap);
	va_end(ap);
	return ok;
}

bool tap_ret(s64 ret, s64 want, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_v(ret == want, &ret, want, fmt, ap);
	va_end(ap);
	return ret == want;
}


__attribute__((noreturn)) void dm_power_off(void)
{
	if (tap_failed)
		dm_printf("# %u of %u tests failed\n", tap_failed, tap_count);
	wait_lsr(LSR_THRE | LSR_TEMT);
	outw(PM1A_CNT, PM1A_SLP_S5);
	for (;;)
		asm volatile("cli; hlt");
}

/* ---- hypercalls and PCI ---- */

s64 hcall(u64 id, u64 p1, u64 p2)
{
	register u64 r8 asm("r8") = id;
	s64 ret;

	asm volatile("vmcall" : "=a"(ret) : "D"(p1), "S"(p2), "r"(r8) : "memory");
	return ret;
}

u32 pci_read32(u8 bus, u8 dev, u8 fn, u8 off)
{
	outl(0xCF8, 0x80000000U | (u32)bus << 16 | (u32)(dev & 0x1F) << 11 | (u32)(fn & 7) << 8 |
		    (off & 0xFC));
	return inl(0xCFC);
}

void pci_write32(u8 bus, u8 dev, u8 fn, u8 off, u32 v)
{
	outl(0xCF8, 0x80000000U | (u32)bus << 16 | (u32)(dev & 0x1F) << 11 | (u32)(fn & 7) << 8 |
		    (off & 0xFC));
	outl(0xCFC, v);
}

u64 tsc_khz(void)
{
	u32 a, b, c, d;

	asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x40000000), "c"(0));
	if (a < 0x40000010)
		return TSC_KHZ_FALLBACK;
	asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x40000010), "c"(0));
	return a ? a : TSC_KHZ_FALLBACK;
}

/* ---- paging: GiBs 1-3 with 2 MiB pages, so the LAPIC at 0xFEE00000 is reachable ---- */

static u64 high_pd[3][512] __aligned(4096);

static void map_high(void)
{
	u64 cr3, *pml4, *pdpt;

	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	/* identity-mapped below 1 GiB: physical addresses are pointers */
	pml4 = (u64 *)(cr3 & ~0xFFFULL);
	pdpt = (u64 *)(pml4[0] & ~0xFFFULL);
	for (u64 g = 1; g < 4; g++) {
		for (u64 i = 0; i < 512; i++) {
			u64 pa = (g << 30) | (i << 21);

			high_pd[g - 1][i] = pa | PTE_P | PTE_W | PTE_PS |
					    (pa >= UNCACHED_FROM ? PTE_PCD | PTE_PWT : 0);
		}
		pdpt[g] = (u64)high_pd[g - 1] | PTE_P | PTE_W;
	}
	asm volatile("mov %0, %%cr3" :: "r"(cr3) : "memory");
}

/* ---- IDT (isr.S: 256 stubs of ISR_STUB_SIZE bytes) and LAPIC ---- */

#define ISR_STUB_SIZE	16

struct idt_gate {
	u16 off_lo;
	u16 sel;
	u8 ist;
	u8 type;	/* 0x8E: present, DPL 0, 64-bit interrupt gate */
	u16 off_mid;
	u32 off_hi;
	u32 zero;
} __packed;

extern const u8 isr_stubs[];
static struct idt_gate idt[256] __aligned(16);

static void idt_setup(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed idtr = { sizeof(idt) - 1, (u64)idt };

	for (unsigned v = 0; v < 256; v++) {
		u64 a = (u64)isr_stubs + v * ISR_STUB_SIZE;

		idt[v] = (struct idt_gate){ .off_lo = (u16)a, .sel = 0x08, .type = 0x8E,
					    .off_mid = (u16)(a >> 16), .off_hi = (u32)(a >> 32) };
	}
	asm volatile("lidt %0" :: "m"(idtr));
}

static void lapic_write(u32 reg, u32 v)
{
	*(volatile u32 *)(LAPIC_BASE + reg) = v;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

static volatile u32 unexpected_irqs;

void irq_dispatch(u64 vector, u64 rip)
{
	if (vector < 32) {
		/* nothing here expects a fault: report it and stop */
		dm_printf("not ok - unexpected exception %u at rip %#lx\n", (unsigned)vector, rip);
		tap_failed++;
		dm_power_off();
	}
	switch (vector) {
	case UPCALL_VECTOR:
		upcall_tsc = rdtsc();
		upcalls++;
		break;
	case TIMER_VECTOR:
		ticks++;
		break;
	case SPURIOUS_VECTOR:
		return;		/* never EOI'd */
	default:
		unexpected_irqs++;
		break;
	}
	lapic_eoi();
}

void cpu_setup(void)
{
	map_high();
	idt_setup();
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | SPURIOUS_VECTOR);
	/* the watchdog's tick: the vLAPIC timer counts at TSC rate / divide */
	lapic_write(LAPIC_TIMER_DIV, LAPIC_DIV_128);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_TIMER_PERIODIC | TIMER_VECTOR);
	lapic_write(LAPIC_TIMER_INIT, (u32)(tsc_khz() * TICK_MS / 128));
}

void tap_finish(void)
{
	if (unexpected_irqs)
		dm_printf("# %u unexpected interrupts\n", unexpected_irqs);
	if (tap_count != tap_planned) {
		tap_failed++;
		dm_printf("not ok - planned %u tests but ran %u\n", tap_planned, tap_count);
	}
}
