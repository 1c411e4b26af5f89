UNIT_TESTS += ratelimit
ratelimit_SRCS := lib/ratelimit.c
