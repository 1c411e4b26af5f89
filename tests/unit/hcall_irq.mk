UNIT_TESTS += hcall_irq
hcall_irq_SRCS := hypercall/table.c hypercall/common.c hypercall/general.c hypercall/vm.c hypercall/regs.c hypercall/irq.c hypercall/ioreq.c hypercall/mem.c hypercall/pci.c hypercall/mmio.c tests/unit/hcall_fake.c
