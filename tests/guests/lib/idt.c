/* IDT setup and the C side of every interrupt and exception. */
#include "idt.h"
#include "apic.h"
#include "console.h"
#include "layout.h"
#include "percpu.h"
#include "power.h"
#include "test.h"
#include "x86.h"

struct idt_gate {
	u16 off_lo;
	u16 selector;
	u8 zero;
	u8 type_attr;
	u16 off_hi;
} __packed;

struct extable_entry {
	u32 insn;
	u32 fixup;
};

#define ISR_STUB_SIZE 16 /* isr.S aligns every stub to this */
#define IDT_INTERRUPT_GATE 0x8E /* present, DPL 0, 32-bit interrupt gate */

extern const u8 isr_stubs[];
extern const struct extable_entry __extable_start[], __extable_end[];

static struct idt_gate idt[256] __aligned(8);
static irq_handler_t irq_handlers[256];
static volatile u32 irq_unexpected;

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "res15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "res22", "res23",
	"res24", "res25", "res26", "res27", "#HV", "#VC", "#SX", "res31",
};

const char *exception_name(u32 vector)
{
	return vector < 32 ? exc_names[vector] : "irq";
}

void idt_init(void)
{
	for (u32 v = 0; v < 256; v++) {
		u32 addr = (u32)isr_stubs + v * ISR_STUB_SIZE;

		idt[v].off_lo = addr & 0xFFFF;
		idt[v].off_hi = addr >> 16;
		idt[v].selector = GDT_CODE;
		idt[v].zero = 0;
		idt[v].type_attr = IDT_INTERRUPT_GATE;
	}
}

void idt_load(void)
{
	struct {
		u16 limit;
		u32 base;
	} __packed idtr = { sizeof(idt) - 1, (u32)idt };

	asm volatile("lidt %0" : : "m"(idtr));
}

void irq_register(u8 vector, irq_handler_t fn)
{
	irq_handlers[vector] = fn;
}

u32 irq_unexpected_count(void)
{
	return irq_unexpected;
}

void fault_arm(void)
{
	this_cpu()->fault_vector = NO_FAULT;
}

int fault_taken(void)
{
	return this_cpu()->fault_vector;
}

int rdmsr_safe(u32 msr, u64 *val)
{
	u32 lo = 0, hi = 0;

	fault_arm();
	asm volatile("1: rdmsr\n2:\n" EXTABLE(1b, 2b)
		     : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*val = ((u64)hi << 32) | lo;
	return fault_taken();
}

int wrmsr_safe(u32 msr, u64 val)
{
	fault_arm();
	asm volatile("1: wrmsr\n2:\n" EXTABLE(1b, 2b)
		     : : "c"(msr), "a"((u32)val), "d"((u32)(val >> 32)) : "memory");
	return fault_taken();
}

int vmcall_safe(void)
{
	fault_arm();
	asm volatile("1: vmcall\n2:\n" EXTABLE(1b, 2b) : : : "memory");
	return fault_taken();
}

int wbinvd_safe(void)
{
	fault_arm();
	asm volatile("1: wbinvd\n2:\n" EXTABLE(1b, 2b) : : : "memory");
	return fault_taken();
}

int load_fs_safe(u16 selector)
{
	fault_arm();
	asm volatile("1: mov %0, %%fs\n2:\n" EXTABLE(1b, 2b) : : "r"(selector) : "memory");
	return fault_taken();
}

static bool extable_fixup(struct isr_frame *f)
{
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++) {
		if (e->insn == f->eip) {
			this_cpu()->fault_vector = (int)f->vector;
			this_cpu()->fault_error = f->error;
			f->eip = e->fixup;
			return true;
		}
	}
	return false;
}

/* An exception nobody expected: report it as a failed test and stop. */
static __noreturn void exception_fatal(struct isr_frame *f)
{
	u32 cpu = this_cpu()->index;

	test_report(false, "unexpected exception %u %s on cpu %u at eip %p error %#x eflags %#x",
		    f->vector, exception_name(f->vector), cpu, (void *)f->eip, f->error, f->eflags);
	test_diag("eax=%08x ebx=%08x ecx=%08x edx=%08x esi=%08x edi=%08x ebp=%08x",
		  f->eax, f->ebx, f->ecx, f->edx, f->esi, f->edi, f->ebp);
	if (cpu == 0)
		guest_exit();
	cpu_halt_forever();
}

void isr_dispatch(struct isr_frame *f);
void isr_dispatch(struct isr_frame *f)
{
	u32 v = f->vector;

	if (v < 32) {
		if (!extable_fixup(f))
			exception_fatal(f);
		return;
	}
	if (irq_handlers[v])
		irq_handlers[v](v, f);
	else if (v != APIC_SPURIOUS_VECTOR)
		irq_unexpected++;
	/* A spurious interrupt sets no ISR bit, so it must not be EOIed. */
	if (v != APIC_SPURIOUS_VECTOR)
		apic_eoi();
}
