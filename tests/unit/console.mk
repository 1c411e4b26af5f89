UNIT_TESTS += console
console_SRCS := arch/x86/console.c
