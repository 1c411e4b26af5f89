/* What the parts of bulkhead.efi share (efi_main.c: ACPI, the hypervisor, the hand-over; efi_files.c: its volume). */
#ifndef BH_EFI_LOADER_H
#define BH_EFI_LOADER_H

#include <efi.h>
#include <efilib.h>

#include "bootinfo.h"
#include "errno.h"

#define PAGE		4096ULL
#define FOUR_GIB	(1ULL << 32)
#define CFG_NAME	L"bulkhead.cfg"
#define CFG_MAX		(64 * 1024)
#define PATH_MAX_CH	512

struct module {
	CHAR8 file[128];
	CHAR8 string[BOOTINFO_MODSTR_LEN];
	UINT64 start, len;
};

extern EFI_HANDLE image;
extern EFI_LOADED_IMAGE *loaded;
extern EFI_FILE_HANDLE root;
extern CHAR16 dir[PATH_MAX_CH];		/* our directory, with a trailing '\' */
extern CHAR8 cmdline[BOOTINFO_CMDLINE_LEN];
extern const char *cmdline_from;
extern struct module mods[BOOTINFO_MAX_MODS];
extern unsigned nr_mods;
extern UINT64 hv_start, hv_end;		/* the image's pages */

void msg(const char *s);

/* efi_files.c */
UINTN slen(const CHAR8 *s);
EFI_STATUS find_dir(void);
EFI_FILE_HANDLE open_file(const CHAR8 *name, CHAR16 *path, UINTN cap);
EFI_STATUS read_file(EFI_FILE_HANDLE f, UINT64 at, UINT64 *start, UINT64 *len);
EFI_STATUS read_cfg(void);
void take_load_options(void);
EFI_STATUS load_modules(void);

#endif
