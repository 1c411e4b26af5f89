/* A VM's COM1 (dm/vuart.c): what the console switch (vmm/shell.c) may do with it. */
#ifndef BH_VUART_H
#define BH_VUART_H

#include "types.h"

struct vm;

/* Queue a byte typed for the VM (its receive interrupt follows); -ENOSPC when the FIFO is full. */
int vuart_rx_put(struct vm *vm, u8 c);

#endif
