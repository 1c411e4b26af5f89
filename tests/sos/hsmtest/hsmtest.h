/*
 * hsmtest's parts (hsmtest.c has the plan and the order of the checks):
 * util.c TAP lines, errors and files; guest.c the post guest's RAM, its
 * loading and memory segments; serve.c the device model proper (the I/O
 * requests of the post guest, ioeventfd/irqfd); machine.c the Service VM's
 * own devices (its RTC's and HPET's interrupts).
 */
#ifndef HSMTEST_H
#define HSMTEST_H

#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/acrn.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "post_dev.h"


#define HSM_DEV		"/dev/acrn_hsm"
#define HSM_SYSFS	"/sys/devices/virtual/misc/acrn_hsm"
#define HUGETLB_FILE	"/dev/hugepages/hsmtest-ram"
#define E1000_CONFIG	"/sys/bus/pci/devices/0000:00:03.0/config"
#define E1000_BAR0_FILE	"/sys/bus/pci/devices/0000:00:03.0/resource0"
#define VM_NAME		"hsmtest"
#define TESTS		56

#define KIB		1024ULL
#define MIB		(1024 * KIB)
#define HUGE_SIZE	(2 * MIB)
/* guest RAM: [0, 2 MiB) anonymous 4 KiB pages, [2 MiB, 16 MiB) hugetlbfs 2 MiB pages */
#define ANON_SIZE	(2 * MIB)
#define RAM_SIZE	((uint64_t)POST_RAM_SIZE)

#define E1000_BDF	(POST_E1000_DEV << 3)	/* 00:03.0 */
#define UNKNOWN_BDF	0xF8			/* 00:1f.0: no such device */
#define E1000_INTX_LINE	11
#define E1000_INTX_PIN	1
#define BAD_VCPU	5
#define WATCHDOG_S	60
#define HV_LEAF_FREE_MEM 0x40000101

#define GSI_RAISING_PULSE 2

struct serve_stats {
	unsigned by_type[4], bad, notify_fail;
	uint32_t done;
	bool powered_off, timed_out, attach_failed;
	int msi_ret, irqline_ret, attach_err;
};

/* util.c */
extern int hsm;
extern unsigned test_no;
bool tap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool tap_err(int got, int want, const char *what);
const char *err_str(int e);
int hioctl(unsigned long req, void *arg);
unsigned long long hv_free_bytes(void);
int write_file(const char *path, const char *s);
int read_file(const char *path, char *buf, size_t size);
uint32_t e1000_config(unsigned off);
uint32_t e1000_icr(void);
unsigned int e1000_cfg(unsigned int off);	/* e1000_config for post_pci_has_reset */

/* guest.c */
extern uint8_t *anon_ram, *huge_ram;
extern uint64_t anon_size;
extern uint8_t *post_img;
extern size_t post_size;
extern const char *post_path;
int post_read(void);
int post_load(uint64_t *entry);
int set_regs(uint16_t vcpu, uint64_t entry);
int set_memseg(uint64_t user_gpa, void *va, uint64_t len);
int memseg_from_devmem(unsigned long long hpa, uint64_t user_gpa);
int create_vm(int fd, struct acrn_vm_creation *c, void *iobuf);

/* serve.c */
extern struct acrn_io_request_buffer *ioreq_buf;
extern uint16_t vmid;
extern unsigned vcpu_num;
extern int ioevent_fd, irq_fd;
extern volatile unsigned ioevents;
extern volatile sig_atomic_t alarmed;
void on_alarm(int sig);
void serve_phase(uint32_t phase, struct serve_stats *st);
void *evfd_thread(void *arg);
bool report_phase(uint32_t phase, const struct serve_stats *st);

/* machine.c */
void machine_checks(void);

#endif
