/* The post guest's ELF (a stripped copy of post.elf), which dm64 loads into the post VM. */
	.section .rodata
	.balign 16
	.global post_elf_start, post_elf_end
post_elf_start:
	.incbin POST_ELF
post_elf_end:
