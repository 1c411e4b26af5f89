/* Per-CPU descriptor tables, exception reporting and CPU parking. */
#include "lib.h"
#include "console.h"
#include "percpu.h"
#include "irq.h"
#include "asm_defs.h"
#include "x86.h"
#include "exception.h"
#include "vm.h"

struct pcpu pcpus[CONFIG_MAX_CPUS];
unsigned nr_pcpus = 1;

struct idt_entry {
	u16 off0, sel;
	u8 ist, type;
	u16 off1;
	u32 off2, zero;
} __packed;

static struct idt_entry idt[256] __aligned(16);
static u8 ist_stacks[CONFIG_MAX_CPUS][4096] __aligned(16);
extern u8 exc_stubs[], irq_stubs[];


static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound", "#UD invalid opcode", "#NM no FPU", "#DF double fault",
	"coprocessor overrun", "#TS invalid TSS", "#NP segment not present",
	"#SS stack fault", "#GP general protection", "#PF page fault", "reserved",
	"#MF x87 error", "#AC alignment check", "#MC machine check", "#XM SIMD",
	"#VE virtualization", "#CP control protection",
};

void exception_handler(struct exc_frame *f)
{
	unsigned cpu = this_cpu() ? this_cpu()->id : 0;
	const char *name = f->vector < 32 && exc_names[f->vector] ? exc_names[f->vector] : "?";

	if (f->vector >= 32) {
		irq_dispatch((u8)f->vector);
		return;
	}

	if (f->vector == 2) {
		/*
		 * NMIs in root mode are kicks that also flush (vm_flush_wait), or
		 * ask where a CPU that ignores kicks is stuck
		 */
		if (this_cpu() && this_cpu()->vcpu)
			vcpu_ack_flush(this_cpu()->vcpu);
		if (this_cpu() && this_cpu()->nmi_dump) {
			this_cpu()->nmi_dump = false;
			printk("  CPU %u is in the hypervisor at RIP 0x%lx (RSP 0x%lx)\n",
			       cpu, f->rip, f->rsp);
		}
		return;
	}
	printk("\nPANIC: exception %lu (%s) on CPU %u, error code 0x%lx\n",
	       f->vector, name, cpu, f->error);
	printk("RIP %016lx CS %04lx RFLAGS %016lx RSP %016lx SS %04lx\n",
	       f->rip, f->cs, f->rflags, f->rsp, f->ss);
	printk("RAX %016lx RBX %016lx RCX %016lx RDX %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
	printk("RSI %016lx RDI %016lx RBP %016lx R8  %016lx\n", f->rsi, f->rdi, f->rbp, f->r8);
	printk("R9  %016lx R10 %016lx R11 %016lx R12 %016lx\n", f->r9, f->r10, f->r11, f->r12);
	printk("R13 %016lx R14 %016lx R15 %016lx\n", f->r13, f->r14, f->r15);
	printk("CR0 %016lx CR2 %016lx CR3 %016lx CR4 %016lx\n",
	       read_cr0(), read_cr2(), read_cr3(), read_cr4());
	printk("CPU %u stopped.\n", cpu);
	console_flush();
	cpu_park();
}

/* Idle CPUs park here too: no console flush, a VM may be flooding its ring. */
void __noreturn cpu_park(void)
{
	for (;;) {
		asm volatile("cli");
		halt();
	}
}

void __noreturn panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("\nPANIC on CPU %u: %s\n", this_cpu() ? this_cpu()->id : 0, buf);
	console_flush();
	cpu_park();
}

static void idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		u64 a = (u64)(v < 32 ? exc_stubs + v * 16 : irq_stubs + (v - 32) * 16);

		idt[v].off0 = (u16)a;
		idt[v].sel = GDT_SEL_CODE64;
		/* NMI, #DF and #MC run on their own stack */
		idt[v].ist = (v == 2 || v == 8 || v == 18) ? 1 : 0;
		idt[v].type = 0x8E;
		idt[v].off1 = (u16)(a >> 16);
		idt[v].off2 = (u32)(a >> 32);
	}
}

void cpu_setup(struct pcpu *p)
{
	struct { u16 limit; u64 base; } __packed gdtr, idtr;
	u64 tss = (u64)&p->tss;

	p->self = p;
	if (p->id == 0)
		idt_init();

	p->gdt[0] = 0;
	p->gdt[1] = 0x00af9a000000ffffULL;	/* 64-bit code */
	p->gdt[2] = 0x00cf92000000ffffULL;	/* data */
	p->gdt[3] = (sizeof(p->tss) - 1) | ((tss & 0xffffff) << 16) |
		    (0x89ULL << 40) | (((tss >> 24) & 0xff) << 56);
	p->gdt[4] = tss >> 32;
	memset(&p->tss, 0, sizeof(p->tss));
	p->tss.ist[0] = (u64)&ist_stacks[p->id][4096];
	p->tss.iomap_base = sizeof(p->tss);

	gdtr.limit = sizeof(p->gdt) - 1;
	gdtr.base = (u64)p->gdt;
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (u64)idt;
	asm volatile("lgdt %0\n\t"
		     "pushq %1\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "mov %2, %%ds\n\tmov %2, %%es\n\tmov %2, %%ss\n\t"
		     "ltr %w3\n\t"
		     "lidt %4"
		     :: "m"(gdtr), "i"((u64)GDT_SEL_CODE64), "r"((u64)GDT_SEL_DATA),
		        "r"((u64)GDT_SEL_TSS), "m"(idtr) : "rax", "memory");
	wrmsr(MSR_IA32_GS_BASE, (u64)p);

	/* XSETBV exits are completed with XSETBV here, which needs OSXSAVE */
	u32 a, b, c, d;

	cpuid_count(1, 0, &a, &b, &c, &d);
	if (c & BIT(26))
		write_cr4(read_cr4() | X86_CR4_OSXSAVE);
}

void cpu_wbinvd(void)
{
	asm volatile("wbinvd" ::: "memory");
}
