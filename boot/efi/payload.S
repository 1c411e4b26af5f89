/*
 * The hypervisor ELF inside bulkhead.efi (stripped; the Makefile passes its path
 * as HV_PAYLOAD): efi_main.c copies its segments to their link address.
 */
	.section .data.payload, "a"
	.balign 4096
	.global hv_payload, hv_payload_end
	.hidden hv_payload, hv_payload_end
hv_payload:
	.incbin HV_PAYLOAD
hv_payload_end:
	.section .note.GNU-stack, "", @progbits
