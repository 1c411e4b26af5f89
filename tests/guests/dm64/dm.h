/*
 * dm64: the Service VM's device-model test guest (64-bit: the ACRN hypercall
 * ABI passes the id in R8). It creates the post-launched VM, loads the post
 * guest into it, serves its forwarded I/O requests and checks every hypercall
 * on the way. The ABI structures and numbers are the hypervisor's public
 * headers (include/public/), which a unit test compares with Linux's.
 */
#ifndef DM64_DM_H
#define DM64_DM_H

#include <stdarg.h>
#include "types.h"
#include "errno.h"
#include "public/acrn_abi.h"
#include "public/hypercall.h"
#include "post_dev.h"

#define __printf(a, b) __attribute__((format(printf, a, b)))

/* Vectors: the upcall (Linux's default), a watchdog tick, the spurious vector. */
#define UPCALL_VECTOR		0xF3
#define TIMER_VECTOR		0xF0
#define SPURIOUS_VECTOR		0xFF

/*
 * Where the post VM's RAM lives in ours: user GPA x is our GPA POST_RAM_BASE + x.
 * Our memory is identity-mapped (postvm.xml): 128 MiB is ours on the Bochs board.
 */
#define POST_RAM_BASE		0x8000000ULL
/* Not ours: the hypervisor's memory and vm0's (postvm.xml) */
#define HV_MEMORY		0x1000000ULL
#define VM0_MEMORY		0x4000000ULL
/* The end of our RAM: the Bochs board's RAM ends below its ACPI tables at 0xfff0000 */
#define OUR_RAM_END		0xFFF0000ULL

/* ---- cpu.c: console, TAP, hypercalls, paging, IDT, LAPIC ---- */

static inline u8 inb(u16 port) { u8 v; asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outb(u16 port, u8 v) { asm volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { asm volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { asm volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline u32 inl(u16 port) { u32 v; asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

void dm_printf(const char *fmt, ...) __printf(1, 2);
void dm_vprintf(const char *fmt, va_list ap);
void dm_putc(char c);

void tap_plan(unsigned n);
bool tap(bool ok, const char *fmt, ...) __printf(2, 3);
/* tap() for a hypercall result: ok when ret == want; names both errnos. */
bool tap_ret(s64 ret, s64 want, const char *fmt, ...) __printf(3, 4);
const char *errno_name(s64 ret);	/* "-EINVAL", ...; NULL if not one we know */
/* Checks the plan against the tests run (a "not ok -" line if they differ). */
void tap_finish(void);
__attribute__((noreturn)) void dm_power_off(void);

s64 hcall(u64 id, u64 p1, u64 p2);

/* 0xCF8/0xCFC config read of our own bus (the Service VM's view). */
u32 pci_read32(u8 bus, u8 dev, u8 fn, u8 off);
void pci_write32(u8 bus, u8 dev, u8 fn, u8 off, u32 v);

u64 tsc_khz(void);
void cpu_setup(void);		/* paging for 1-4 GiB, IDT, LAPIC, watchdog tick */
void lapic_eoi(void);
/* Interrupt handlers (isr.S calls irq_dispatch with the vector). */
void irq_dispatch(u64 vector, u64 rip);
extern volatile u32 upcalls;		/* upcall interrupts taken */
extern volatile u32 ticks;		/* watchdog ticks taken */

/* ---- load.c: what a device model does to (re)load its guest ---- */

u64 post_image_size(void);	/* bytes of the embedded post ELF */
/* Copies the embedded post ELF into the post VM's RAM; 0 or a negative errno. */
int post_load(u64 *entry);
/* The start state of vCPU 0: 32-bit protected mode at entry, multiboot info in EBX. */
void post_regs(struct abi_vcpu_regs *r, u16 vcpu, u64 entry);

/* ---- memseg.c: Linux-style memory batches and their figures ---- */

/* Bytes of hypervisor memory free (bulkhead's CPUID leaf 0x40000101). */
u64 hv_free_mem(void);
/* Into vmid, a fresh VM with no RAM: 64 MiB as 16384 regions of 4 KiB, timed, then refusals. */
void memseg_checks(u16 vmid);
#define MEMSEG_TESTS		9
/*
 * [user_gpa, +size) of vmid unmapped (one DEL) and mapped again onto our
 * [host, +size) as one 4 KiB region per page, in one batch.
 */
s64 memseg_map_4k(u16 vmid, u64 user_gpa, u64 host, u64 size);

/* ---- serve.c: forwarded I/O requests ---- */

extern struct abi_io_request_buffer ioreq_page;

struct serve_stats {
	u32 by_type[4];		/* PORTIO, MMIO, PCICFG, WP */
	u32 bad;		/* malformed: unknown type or size, or a notify refused */
	u32 done;		/* what the guest last wrote to POSTDEV_PHASE */
	bool powered_off;	/* the guest wrote S5 to PM1a_CNT */
	bool timed_out;		/* no request for DM_WATCHDOG_MS */
	/* round-trip benchmark (POSTDEV_BENCH) */
	u32 bench_reqs;		/* reads served */
	u64 dm_ticks;		/* our share of them: upcall taken .. NOTIFY_REQUEST_FINISH */
	u32 rt_ticks;		/* the guest's average round trip, as it reported it */
	/* POSTDEV_IRQ: what INJECT_MSI and SET_IRQLINE answered (1: not asked) */
	s64 msi_ret, irqline_ret;
	/* the request we leave unanswered (POSTDEV_SILENT) */
	bool silent;
	u64 silent_since;
};

#define DM_WATCHDOG_MS		20000
extern u32 serve_watchdog_ms;	/* how long serve_phase waits for a request (DM_WATCHDOG_MS) */
#define DM_SILENT_WAIT_MS	3000	/* longer than the hypervisor's 2 s request time-out */
extern volatile u64 upcall_tsc;		/* TSC when the last upcall was taken */

void serve_init(u16 vmid);
/*
 * Called with each pending request marked PROCESSING, before it is emulated:
 * true if the hook completed it itself (a hostile device model, atk64).
 */
extern bool (*serve_hook)(volatile struct abi_io_request *req, unsigned vcpu);
/* The VM was created with completion polling: COMPLETE is enough, no NOTIFY_REQUEST_FINISH. */
extern bool serve_polling;
/* Serve requests until the guest says phase is done, powers off or goes quiet. */
void serve_phase(u32 phase, struct serve_stats *st);

#endif
