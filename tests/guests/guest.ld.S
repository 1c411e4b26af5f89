/*
 * Test guests: one RWX PT_LOAD at 1 MiB, multiboot1 header first (it must
 * lie in the file's first 8 KiB). Run through cpp for lib/layout.h.
 * The CPU stacks are placed here, not in start.S: an 8 KiB-aligned input
 * section would raise the segment's alignment and push the header out.
 */
#include "layout.h"

OUTPUT_FORMAT("elf32-i386")
OUTPUT_ARCH(i386)
ENTRY(_start)

PHDRS
{
	image PT_LOAD FLAGS(7);
}

SECTIONS
{
	. = 0x100000;
	__image_start = .;
	.text : {
		KEEP(*(.multiboot))
		*(.text.entry)
		*(.text .text.*)
	} :image
	.rodata : {
		*(.rodata .rodata.*)
	} :image
	. = ALIGN(4);
	.extable : {
		__extable_start = .;
		KEEP(*(.extable))
		__extable_end = .;
	} :image
	.data : {
		*(.data .data.*)
	} :image
	.bss : {
		__bss_start = .;
		*(.bss .bss.*)
		*(COMMON)
		. = ALIGN(GUEST_STACK_SIZE);
		cpu_stacks = .;
		. += GUEST_MAX_CPUS * GUEST_STACK_SIZE;
		__bss_end = .;
	} :image
	. = ALIGN(64);
	__image_end = .;
	ASSERT(cpu_stacks % GUEST_STACK_SIZE == 0, "cpu_stacks misaligned")

	/DISCARD/ : {
		*(.comment)
		*(.note .note.*)
		*(.eh_frame .eh_frame_hdr)
	}
}
