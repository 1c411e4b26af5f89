/*
 * I/O instruction exits (vmm/vmexit_io.c) on a fake VMCS with the real
 * port tables (dm/io_emul.c): IN merges into AL/AX and zero-extends EAX;
 * a handler's failure and an unclaimed port read all ones; the remembered
 * handler and the scan agree; the fallback gets what nobody claims; OUT
 * passes only the access's bytes; string I/O and a handler that stops the
 * VM leave RIP where it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "vm.h"
#include "vmm_internal.h"
#include "fake_vmcs.h"

#define RIP		0x3000
#define INSN_LEN	1
#define QUAL(port, size, in, string) \
	((u64)(port) << 16 | ((size) - 1) | (in) << 3 | (string) << 4)

static struct vm vm;
static struct vcpu v;
static struct { unsigned reads, writes, stops, fallback_reads; u16 port; unsigned size; u32 val; } seen;

void vm_stop(struct vm *m, const char *fmt, ...)
{
	(void)fmt;
	m->state = VM_STOPPED;
	seen.stops++;
}

static int dev_read(struct vcpu *vc, void *opaque, u16 port, unsigned size, u32 *val)
{
	(void)vc;
	seen.reads++;
	seen.port = port;
	seen.size = size;
	*val = (u32)(uintptr_t)opaque;
	return 0;
}

static int dev_write(struct vcpu *vc, void *opaque, u16 port, unsigned size, u32 val)
{
	(void)vc;
	(void)opaque;
	seen.writes++;
	seen.port = port;
	seen.size = size;
	seen.val = val;
	return 0;
}

static int failing_read(struct vcpu *vc, void *opaque, u16 port, unsigned size, u32 *val)
{
	(void)vc;
	(void)opaque;
	(void)port;
	(void)size;
	*val = 0x1234;
	return -EIO;
}

static int stopping_write(struct vcpu *vc, void *opaque, u16 port, unsigned size, u32 val)
{
	(void)opaque;
	(void)port;
	(void)size;
	(void)val;
	vm_stop(vc->vm, "stop");
	return 0;
}

static int fallback_read(struct vcpu *vc, void *opaque, u16 port, unsigned size, u32 *val)
{
	(void)vc;
	(void)opaque;
	(void)port;
	(void)size;
	seen.fallback_reads++;
	*val = 0xFA11BAC7;
	return 0;
}

static const struct pio_handler fallback_port = { 0, 0, fallback_read, NULL, NULL };
static const struct io_fallback fallback = { &fallback_port, NULL, NULL };

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(&v, 0, sizeof(v));
	memset(&seen, 0, sizeof(seen));
	v.vm = &vm;
	vm.state = VM_RUNNING;
	vm.fallback = &io_fallback_none;
	assert_int_equal(vm_register_pio(&vm, 0x3F8, 8, dev_read, dev_write, (void *)0xA1B2C3D4), 0);
	assert_int_equal(vm_register_pio(&vm, 0xCF8, 8, dev_read, dev_write, (void *)0x11223344), 0);
	assert_int_equal(vm_register_pio(&vm, 0x80, 1, failing_read, stopping_write, NULL), 0);
	fake_vmcs_reset();
	fake_vmcs_set(VMCS_GUEST_RIP, RIP);
	fake_vmcs_set(VMCS_EXIT_INSN_LEN, INSN_LEN);
	return 0;
}

static int io(u16 port, unsigned size, bool in, bool string)
{
	fake_vmcs_set(VMCS_GUEST_RIP, RIP);
	fake_vmcs_set(VMCS_EXIT_QUAL, QUAL(port, size, in, string));
	return vmx_exit_io(&v);
}

static void test_in_widths(void **state)
{
	(void)state;
	v.gpr[GPR_RAX] = 0xFFFFFFFFFFFFFFFFULL;
	assert_int_equal(io(0x3FD, 1, true, false), 0);
	assert_int_equal(v.gpr[GPR_RAX], 0xFFFFFFFFFFFFFFD4ULL);	/* AL only */
	assert_int_equal(seen.port, 0x3FD);
	assert_int_equal(seen.size, 1);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), RIP + INSN_LEN);
	assert_int_equal(io(0xCFC, 2, true, false), 0);
	assert_int_equal(v.gpr[GPR_RAX], 0xFFFFFFFFFFFF3344ULL);	/* AX only */
	assert_int_equal(io(0xCFC, 4, true, false), 0);
	assert_int_equal(v.gpr[GPR_RAX], 0x11223344ULL);		/* EAX zero-extends */
	/* the remembered handler (0xCF8's) and a scan back to 0x3F8 agree */
	assert_int_equal(io(0x3F8, 4, true, false), 0);
	assert_int_equal(v.gpr[GPR_RAX], 0xA1B2C3D4ULL);
	assert_int_equal(seen.reads, 4);
}

static void test_unclaimed_and_failed(void **state)
{
	(void)state;
	/* nobody's port: the floating fallback reads all ones */
	v.gpr[GPR_RAX] = 0;
	assert_int_equal(io(0x1234, 2, true, false), 0);
	assert_int_equal(v.gpr[GPR_RAX], 0xFFFF);
	/* an access that runs past a handler's end is not that handler's */
	assert_int_equal(io(0x3FE, 4, true, false), 0);
	assert_int_equal(v.gpr[GPR_RAX], 0xFFFFFFFF);
	assert_int_equal(seen.reads, 0);
	/* a failing handler: all ones, whatever it left in *val */
	assert_int_equal(io(0x80, 1, true, false), 0);
	assert_int_equal(v.gpr[GPR_RAX] & 0xFF, 0xFF);
	/* a VM with a fallback (post-launched: the Service VM) gets it for unclaimed ports */
	vm.fallback = &fallback;
	assert_int_equal(io(0x1234, 4, true, false), 0);
	assert_int_equal(v.gpr[GPR_RAX], 0xFA11BAC7);
	assert_int_equal(seen.fallback_reads, 1);
	/* its writes go nowhere: the fallback has no write */
	assert_int_equal(io(0x1234, 4, false, false), 0);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), RIP + INSN_LEN);
}

static void test_out_and_stops(void **state)
{
	(void)state;
	v.gpr[GPR_RAX] = 0xDEADBEEFCAFE1241ULL;
	assert_int_equal(io(0x3F8, 1, false, false), 0);
	assert_int_equal(seen.writes, 1);
	assert_int_equal(seen.val, 0x41);
	assert_int_equal(io(0xCFC, 2, false, false), 0);
	assert_int_equal(seen.val, 0x1241);
	assert_int_equal(io(0xCF8, 4, false, false), 0);
	assert_int_equal(seen.val, 0xCAFE1241);
	/* INS/OUTS stop the VM; so does a handler that stops it: RIP stays */
	assert_int_equal(io(0x3F8, 1, false, true), -1);
	assert_int_equal(seen.stops, 1);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), RIP);
	assert_int_equal(seen.writes, 3);
	vm.state = VM_RUNNING;
	assert_int_equal(io(0x80, 1, false, false), -1);
	assert_int_equal(seen.stops, 2);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), RIP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_in_widths, setup),
		cmocka_unit_test_setup(test_unclaimed_and_failed, setup),
		cmocka_unit_test_setup(test_out_and_stops, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
