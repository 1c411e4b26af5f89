UNIT_TESTS += guest_walk
guest_walk_SRCS := arch/x86/guest_walk.c
