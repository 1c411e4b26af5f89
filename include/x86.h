/* Thin wrappers around x86 instructions (hardware access lives here). */
#ifndef BH_X86_H
#define BH_X86_H

#include "types.h"

#ifdef UNIT_TEST
/* host unit tests play the devices behind the ports themselves */
void outb(u16 port, u8 v);
void outw(u16 port, u16 v);
void outl(u16 port, u32 v);
u8 inb(u16 port);
u16 inw(u16 port);
u32 inl(u16 port);
#else
static inline void outb(u16 port, u8 v) { asm volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { asm volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { asm volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port) { u8 v; asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u16 inw(u16 port) { u16 v; asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u32 inl(u16 port) { u32 v; asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
#endif

#ifdef UNIT_TEST
/* host unit tests answer MSR reads and record writes themselves */
u64 rdmsr(u32 msr);
void wrmsr(u32 msr, u64 v);
#else
static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" :: "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}
#endif

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

#ifdef UNIT_TEST
/* host unit tests answer CPUID from a table of their own (tests/unit/fake_cpuid.c) */
void cpuid_count(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d);

static inline void cpuid_count64(u32 leaf, u32 sub, u64 *a, u64 *b, u64 *c, u64 *d)
{
	u32 ea, eb, ec, ed;

	cpuid_count(leaf, sub, &ea, &eb, &ec, &ed);
	*a = ea, *b = eb, *c = ec, *d = ed;
}
#else
static inline void cpuid_count(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

/* CPUID straight into 64-bit slots (the CPU zeroes their upper halves): a vCPU's GPRs */
static inline void cpuid_count64(u32 leaf, u32 sub, u64 *a, u64 *b, u64 *c, u64 *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}
#endif

#ifdef UNIT_TEST
/* host unit tests give the control registers' values themselves */
#define DEFINE_CR(n) u64 read_cr##n(void); void write_cr##n(u64 v);
#else
#define DEFINE_CR(n) \
	static inline u64 read_cr##n(void) { u64 v; asm volatile("mov %%cr" #n ", %0" : "=r"(v)); return v; } \
	static inline void write_cr##n(u64 v) { asm volatile("mov %0, %%cr" #n :: "r"(v) : "memory"); }
#endif
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline void cpu_relax(void) { __builtin_ia32_pause(); }

#ifdef UNIT_TEST
void nmi_unblock(void);		/* host unit tests record it */
#else
/* IRET to the next instruction: ends NMI blocking (after a VM exit caused by an NMI). */
static inline void nmi_unblock(void)
{
	asm volatile("mov %%ss, %%eax\n\t"
		     "pushq %%rax\n\t"
		     "lea 8(%%rsp), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "pushfq\n\t"
		     "mov %%cs, %%eax\n\t"
		     "pushq %%rax\n\t"
		     "lea 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "iretq\n"
		     "1:" ::: "rax", "memory", "cc");
}
#endif
static inline void halt(void) { asm volatile("hlt"); }
void cpu_wbinvd(void);	/* arch/x86/cpu.c: a thin function, unit tests replace it */
/* Leave nothing of the last guest in this CPU (arch/x86/cpu_scrub.c). */
void cpu_scrub_guest_state(void);
#ifdef UNIT_TEST
/* host unit tests play the sleep and the poll step (what arrives meanwhile) */
void cpu_wait_for_interrupt(void);
void cpu_poll_interrupts(void);
#else
/* Sleep until an interrupt (taken by the host IDT) wakes us; STI's shadow covers HLT. */
static inline void cpu_wait_for_interrupt(void) { asm volatile("sti; hlt; cli" ::: "memory"); }
/* One step of a poll that stands in for that sleep: interrupts pending meanwhile are taken. */
static inline void cpu_poll_interrupts(void) { asm volatile("sti; pause; cli" ::: "memory"); }
#endif

#ifdef UNIT_TEST
void xsetbv(u32 idx, u64 v);	/* privileged: host unit tests record it instead */
#else
static inline void xsetbv(u32 idx, u64 v)
{
	asm volatile("xsetbv" :: "c"(idx), "a"((u32)v), "d"((u32)(v >> 32)));
}
#endif

/* What SIDT/SGDT store: a descriptor table's limit and linear base. */
struct desc_ptr {
	u16 limit;
	u64 base;
} __attribute__((packed));

#ifdef UNIT_TEST
void store_idt(struct desc_ptr *d);	/* host unit tests say where the IDT is */
#else
static inline void store_idt(struct desc_ptr *d)
{
	asm volatile("sidt %0" : "=m"(*d));
}
#endif

static inline u64 xgetbv(u32 idx)
{
	u32 lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(idx));
	return ((u64)hi << 32) | lo;
}

#define X86_CR0_PE BIT(0)
#define X86_CR0_MP BIT(1)
#define X86_CR0_EM BIT(2)
#define X86_CR0_TS BIT(3)
#define X86_CR0_ET BIT(4)
#define X86_CR0_NE BIT(5)
#define X86_CR0_WP BIT(16)
#define X86_CR0_AM BIT(18)
#define X86_CR0_NW BIT(29)
#define X86_CR0_CD BIT(30)
#define X86_CR0_PG BIT(31)

#define X86_CR4_PAE BIT(5)
#define X86_CR4_VMXE BIT(13)
#define X86_CR4_SMXE BIT(14)
#define X86_CR4_OSXSAVE BIT(18)

#define X86_EFER_SCE BIT(0)
#define X86_EFER_LME BIT(8)
#define X86_EFER_LMA BIT(10)
#define X86_EFER_NXE BIT(11)

#define X86_RFLAGS_IF BIT(9)
#define X86_RFLAGS_VM BIT(17)

#define MSR_IA32_APIC_BASE		0x1B
#define MSR_IA32_FEATURE_CONTROL	0x3A
#define MSR_IA32_TSC			0x10
#define MSR_IA32_TSC_ADJUST		0x3B
#define MSR_IA32_SPEC_CTRL		0x48
#define MSR_IA32_PRED_CMD		0x49
#define MSR_IA32_BIOS_SIGN_ID		0x8B
#define MSR_IA32_MTRRCAP		0xFE
#define MSR_IA32_ARCH_CAPABILITIES	0x10A
#define MSR_IA32_SYSENTER_CS		0x174
#define MSR_IA32_SYSENTER_ESP		0x175
#define MSR_IA32_SYSENTER_EIP		0x176
#define MSR_IA32_MISC_ENABLE		0x1A0
#define MSR_IA32_PAT			0x277
#define MSR_IA32_TSC_DEADLINE		0x6E0
#define MSR_IA32_XSS			0xDA0
#define MSR_IA32_TSC_AUX		0xC0000103
#define MSR_IA32_EFER			0xC0000080
#define MSR_IA32_STAR			0xC0000081
#define MSR_IA32_LSTAR			0xC0000082
#define MSR_IA32_CSTAR			0xC0000083
#define MSR_IA32_FMASK			0xC0000084
#define MSR_IA32_FS_BASE		0xC0000100
#define MSR_IA32_GS_BASE		0xC0000101
#define MSR_IA32_KERNEL_GS_BASE		0xC0000102

#endif
