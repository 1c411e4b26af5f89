UNIT_TESTS += vm_layout
vm_layout_SRCS := dm/vm_layout.c
