/* C entry on the BSP: per-CPU data, boot info, IDT, then the guest's main. */
#include "guest.h"

#define PIC1_DATA 0x21
#define PIC2_DATA 0xA1

/*
 * A BIOS leaves the 8259 sending IRQ0 on vector 8 (bare Bochs delivers it
 * even with LINT0 masked). In our VMs these ports are unhandled: dropped.
 */
static void pic_mask_all(void)
{
	outb(PIC1_DATA, 0xFF);
	outb(PIC2_DATA, 0xFF);
}

void percpu_init(u32 index)
{
	struct percpu *c = this_cpu();

	c->index = index;
	c->x2apic = false;
	c->fault_vector = NO_FAULT;
	c->fault_error = 0;
}

void guest_boot(u32 magic, u32 info);
void guest_boot(u32 magic, u32 info)
{
	percpu_init(0);
	console_init();
	pic_mask_all();
	mboot_init(magic, info);
	idt_init();
	idt_load();
	main();
	guest_exit();
}
