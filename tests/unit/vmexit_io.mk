UNIT_TESTS += vmexit_io
vmexit_io_SRCS := vmm/vmexit_io.c dm/io_emul.c tests/unit/fake_vmcs.c
