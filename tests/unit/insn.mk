UNIT_TESTS += insn
insn_SRCS := arch/x86/insn_decode.c
