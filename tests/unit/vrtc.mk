UNIT_TESTS += vrtc
vrtc_SRCS := dm/vrtc.c
