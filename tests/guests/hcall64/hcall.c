/*
 * hcall64: checks the hypercall path (ACRN ABI: VMCALL, R8 = id, RDI/RSI =
 * parameters, RAX = result) from a privileged VM. Prints TAP lines on COM1.
 */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef long s64;

#define HC_GET_API_VERSION	0x80000000UL
#define HC_SET_CALLBACK_VECTOR	0x80000002UL
#define HC_DESTROY_VM		0x80000011UL
#define HC_UNKNOWN		0x80000FFFUL
#define EFAULT 14
#define EINVAL 22
#define ENOSYS 38
#define RAM_END_PROBE 0x7FFFFFFF000UL	/* far beyond any VM's RAM */

static inline void outb(u16 port, u8 v) { asm volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { asm volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port) { u8 v; asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outl(u16 port, u32 v) { asm volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline u32 inl(u16 port) { u32 v; asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

/* vendor/device of bus 0 dev:fn through 0xCF8/0xCFC */
static u32 pci_id(u32 dev, u32 fn)
{
	outl(0xCF8, 0x80000000u | dev << 11 | fn << 8);
	return inl(0xCFC);
}

static void putc(char c)
{
	while (!(inb(0x3FD) & 0x20))
		;
	outb(0x3F8, c);
}

static void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static void putn(s64 v)
{
	char buf[24];
	int n = 0;
	u64 u = v < 0 ? -(u64)v : (u64)v;

	if (v < 0)
		putc('-');
	do {
		buf[n++] = '0' + u % 10;
		u /= 10;
	} while (u);
	while (n)
		putc(buf[--n]);
}

static unsigned nr;

static void report(int ok, const char *what, s64 got)
{
	puts(ok ? "ok " : "not ok ");
	putn(++nr);
	puts(" - ");
	puts(what);
	puts(" (got ");
	putn(got);
	puts(")\n");
}

static s64 hcall(u64 id, u64 p1, u64 p2)
{
	register u64 r8 asm("r8") = id;
	s64 ret;

	asm volatile("vmcall" : "=a"(ret) : "D"(p1), "S"(p2), "r"(r8) : "memory");
	return ret;
}

static struct { u32 major, minor; } version = { 0xdead, 0xbeef };

void hmain(void);
void hmain(void)
{
	u32 a, b, c, d;
	s64 r;

	puts("1..12\n");
	asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x40000001), "c"(0));
	report(a & 1, "CPUID 0x40000001 says this VM is privileged", a);

	r = hcall(HC_GET_API_VERSION, (u64)&version, 0);
	report(r == 0 && version.major == 1 && version.minor == 0,
	       "GET_API_VERSION answers 1.0 into our memory", (s64)version.major * 100 + version.minor);
	r = hcall(HC_GET_API_VERSION, RAM_END_PROBE, 0);
	report(r == -EFAULT, "GET_API_VERSION with a parameter outside our RAM: -EFAULT", r);
	r = hcall(HC_UNKNOWN, 0, 0);
	report(r == -ENOSYS, "an unknown hypercall: -ENOSYS", r);
	r = hcall(HC_SET_CALLBACK_VECTOR, 0x10, 0);
	report(r == -EINVAL, "SET_CALLBACK_VECTOR 0x10 (below 0x20): -EINVAL", r);
	r = hcall(HC_SET_CALLBACK_VECTOR, 0xF3, 0);
	report(r == 0, "SET_CALLBACK_VECTOR 0xF3", r);
	r = hcall(HC_DESTROY_VM, 9, 0);
	report(r == -EINVAL, "DESTROY_VM of vmid 9 (out of range): -EINVAL", r);

	/* identity-mapped, its BIOS area holds the hypervisor's tables for it */
	report(*(volatile u64 *)0xE0000 == 0x2052545020445352UL, "an RSDP (\"RSD PTR \") at 0xE0000",
	       (s64)(*(volatile u32 *)0xE0000));

	/* the Service VM's devices: everything but the pre-launched VM's e1000 */
	report(pci_id(0, 0) == 0x12378086, "Service VM sees the real host bridge 00:00.0 (i440FX)",
	       pci_id(0, 0));
	report(pci_id(1, 0) == 0x70008086, "Service VM sees the PIIX3 at 00:01.0", pci_id(1, 0));
	report(pci_id(3, 0) == 0xFFFFFFFF, "the pre-launched VM's e1000 (00:03.0) is invisible",
	       pci_id(3, 0));
	report(pci_id(13, 0) == 0xFFFFFFFF, "nor at the pre-launched VM's vBDF 00:0d.0",
	       pci_id(13, 0));

	while (!(inb(0x3FD) & 0x40))
		;
	outw(0x404, 0x3400);	/* ACPI S5 */
	for (;;)
		asm volatile("hlt");
}
