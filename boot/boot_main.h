/* Where entry.S goes in long mode (boot/main.c). */
#ifndef BH_BOOT_MAIN_H
#define BH_BOOT_MAIN_H

#include "types.h"

void __noreturn boot_main(u32 magic, u64 info);

#endif
