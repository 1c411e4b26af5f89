UNIT_TESTS += spec_ctrl
spec_ctrl_SRCS := vmm/spec_ctrl.c
