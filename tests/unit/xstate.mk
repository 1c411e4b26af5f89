UNIT_TESTS += xstate
xstate_SRCS := vmm/xstate.c
