UNIT_TESTS += acrn_abi
acrn_abi_SRCS :=
