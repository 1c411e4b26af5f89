/*
 * attack: the pre-launched attacker of the attack scenario (2 vCPUs, the
 * e1000 passed through). Each attack prints "ok N - NAME: contained" when
 * what it tried was refused or stayed inside this VM; the victim VM's
 * canary, judged after it by the harness, says whether it reached further
 * (tests/guests/README.md, "The attack scenario").
 */
#ifndef ATTACK_ATTACK_H
#define ATTACK_ATTACK_H

#include "guest.h"

#define BIT64(n)	(1ULL << (n))

/* One line per attack: a "# NAME: detail" diagnostic, then "ok N - NAME: contained". */
bool attack_result(bool contained, const char *name, const char *fmt, ...) __printf(3, 4);
/* The same for an attack another change must close first: "... # TODO why". */
void attack_todo(bool contained, const char *why, const char *name, const char *fmt, ...)
	__printf(4, 5);

/* vCPU 1 runs fn(arg) until *stop is set (fn is called in a loop); returns at once. */
void ap_run(void (*fn)(u32 arg), u32 arg, volatile u32 *stop);
/* Waits until vCPU 1 has returned from the last ap_run. */
bool ap_wait(void);
void ap_setup(void);
bool ap_present(void);		/* false: one vCPU (the post-launched attacker) */

/* e1000 (00:03.0 in this VM) */
#define E1000_DEV	3
#define E1000_ICR	0xC0
#define E1000_ICS	0xC8
#define E1000_IMS	0xD0
#define E1000_IMC	0xD8
#define E1000_STATUS	0x08
#define PCI_COMMAND	0x04
#define PCI_BAR0	0x10
#define PCI_BAR1	0x14
#define PCI_CMD_IO	BIT(0)
#define PCI_CMD_MEM	BIT(1)
#define ECAM_BASE	0xE0000000u
#define INTX_GSI	11

u32 e1000_bar0(void);
u16 e1000_iobase(void);

#define CPU_ATTACKS	18
void cpu_attacks(void);
#define APIC_ATTACKS	8
void apic_attacks(void);
#define IO_ATTACKS	6
void io_attacks(void);
#define PCI_ATTACKS	7
void pci_attacks(void);
/* The post-launched attacker (role=post run=N): run 1 its attacks, every run one that stops it. */
__noreturn void post_main(u32 run);
#define POST_OWN_ATTACKS	5
bool have_e1000(void);
void fixed_ipis(void);
void nmi_init_sipi(void);
void lapic_hostile_modes(void);
void x2apic_foreign_ipis(void);
void host_ports(void);
void foreign_ports(void);
void straddles(void);
void host_bridge_raw(void);
void foreign_functions(void);

/* The last one: string I/O, which stops this VM (the .expect checks the hypervisor's line). */
__noreturn void final_attack(void);

#endif
