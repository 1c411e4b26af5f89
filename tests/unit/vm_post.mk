UNIT_TESTS += vm_post
vm_post_SRCS := vmm/vm_post.c
