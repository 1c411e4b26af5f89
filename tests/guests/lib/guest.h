/* Everything a test guest uses; a guest defines main() and includes this. */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include "gtypes.h"
#include "layout.h"
#include "x86.h"
#include "percpu.h"
#include "console.h"
#include "idt.h"
#include "apic.h"
#include "pci.h"
#include "smp.h"
#include "mboot.h"
#include "tsc.h"
#include "test.h"
#include "power.h"

/* Image bounds from guest.ld. */
extern u8 __image_start[], __image_end[];

/* The guest's entry: runs on the BSP after the library is set up; returning powers off. */
int main(void);

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

#endif
