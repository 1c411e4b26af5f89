/* A guest ELF for dm64 (a stripped post.elf) or atk64 (attack.elf) to load: POST_ELF names it. */
	.section .rodata
	.balign 16
	.global post_elf_start, post_elf_end
post_elf_start:
	.incbin POST_ELF
post_elf_end:
