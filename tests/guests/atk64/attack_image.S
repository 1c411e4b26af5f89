/* The attack guest's ELF (a stripped attack.elf), which atk64 loads into each post-launched attacker. */
	.section .rodata
	.balign 16
	.global post_elf_start, post_elf_end
post_elf_start:
	.incbin POST_ELF
post_elf_end:
