UNIT_TESTS += vmexit_mmio
vmexit_mmio_SRCS := vmm/vmexit_mmio.c dm/io_emul.c arch/x86/guest_walk.c arch/x86/insn_decode.c tests/unit/fake_vmcs.c
