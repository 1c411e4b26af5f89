UNIT_TESTS += vm_irq
vm_irq_SRCS := vmm/vm_irq.c dm/io_emul.c dm/vioapic.c dm/vlapic.c dm/vlapic_timer.c
