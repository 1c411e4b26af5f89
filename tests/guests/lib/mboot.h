/* Multiboot1 boot information: copied once at boot, then queried. */
#ifndef GUEST_MBOOT_H
#define GUEST_MBOOT_H

#include "gtypes.h"

#define MB1_BOOT_MAGIC 0x2BADB002
#define MB1_INFO_MEM BIT(0)
#define MB1_INFO_CMDLINE BIT(2)

/* Copies what we use; the info page (0x6000 in our VMs) may be reused afterwards. */
void mboot_init(u32 magic, u32 info_gpa);
bool mboot_valid(void);
bool mboot_has_mem(void);
u32 mboot_mem_upper_kb(void);
/* First byte past RAM that starts at 1 MiB (0x100000 + mem_upper KiB), clamped below 4 GiB. */
u32 mboot_ram_end(void);
const char *mboot_cmdline(void);

/*
 * Command line lookup in space-separated words of the form key=value
 * (a bare "key" has the value "1"). Returns false if key is absent.
 */
bool mboot_arg(const char *key, char *val, size_t size);
/* Decimal or 0x-hex value of key, or def if absent or malformed. */
u32 mboot_arg_u32(const char *key, u32 def);

#endif
