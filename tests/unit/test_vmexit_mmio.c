/*
 * EPT-violation exits (vmm/vmexit_mmio.c) on a fake VMCS with the real MMIO
 * table, page walker and instruction decoder: a 32-bit guest (paging off)
 * whose instructions sit in a fake RAM. A read lands in the register with
 * its width and RIP moves past the instruction; a write hands the handler
 * the bytes of the access; an instruction fetched from MMIO, an access to
 * nobody's GPA and an instruction that cannot be decoded stop the VM; a
 * post-launched VM's unclaimed MMIO goes to its fallback. STOS moves EDI as
 * DF says, TEST only sets flags, a failed read floats; with paging on the
 * instruction is found through the guest's page tables.
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
#include "x86.h"
#include "fake_vmcs.h"

#define RAM_SIZE	0x10000
#define CODE		0x1000
#define DEV_BASE	0xFED00000ULL
#define DEV_LEN		0x1000
#define QUAL_READ	BIT(0)
#define QUAL_WRITE	BIT(1)
#define QUAL_FETCH	BIT(2)

static struct vm vm;
static struct vcpu v;
static u8 ram[RAM_SIZE];
static struct { unsigned reads, writes, stops; u64 gpa, val; unsigned size; } seen;

void *vm_gpa_to_hva(const struct vm *m, u64 gpa, u64 len)
{
	assert_ptr_equal(m, &vm);
	return gpa < RAM_SIZE && len <= RAM_SIZE - gpa ? ram + gpa : NULL;
}

int vcpu_cpu_mode(struct vcpu *vc)
{
	(void)vc;
	return 32;
}

void vm_stop(struct vm *m, const char *fmt, ...)
{
	(void)fmt;
	m->state = VM_STOPPED;
	seen.stops++;
}

static int dev_read(struct vcpu *vc, void *opaque, u64 gpa, unsigned size, u64 *val)
{
	(void)vc;
	(void)opaque;
	seen.reads++;
	seen.gpa = gpa;
	seen.size = size;
	*val = 0x8877665544332211ULL;
	return 0;
}

static int dev_write(struct vcpu *vc, void *opaque, u64 gpa, unsigned size, u64 val)
{
	(void)vc;
	(void)opaque;
	seen.writes++;
	seen.gpa = gpa;
	seen.size = size;
	seen.val = val;
	return 0;
}

static const struct mmio_handler fallback_mmio = { 0, 0, dev_read, dev_write, NULL };
static const struct pio_handler no_port;
static const struct io_fallback fallback = { &no_port, &fallback_mmio, NULL };

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(&v, 0, sizeof(v));
	memset(&seen, 0, sizeof(seen));
	memset(ram, 0x90, sizeof(ram));
	v.vm = &vm;
	vm.state = VM_RUNNING;
	vm.fallback = &io_fallback_none;
	v.cr0_shadow = X86_CR0_PE | X86_CR0_ET;
	assert_int_equal(vm_register_mmio(&vm, DEV_BASE, DEV_LEN, dev_read, dev_write, NULL), 0);
	fake_vmcs_reset();
	fake_vmcs_set(VMCS_GUEST_RIP, CODE);
	return 0;
}

/* The guest executes bytes at CODE touching gpa. */
static int exit_on(const u8 *insn, size_t len, u64 gpa, u64 qual)
{
	memcpy(ram + CODE, insn, len);
	fake_vmcs_set(VMCS_GUEST_RIP, CODE);
	fake_vmcs_set(VMCS_GUEST_PHYS_ADDR, gpa);
	fake_vmcs_set(VMCS_EXIT_QUAL, qual);
	return vmx_exit_ept_violation(&v);
}

static void test_reads(void **state)
{
	static const u8 mov_eax_ebx[] = { 0x8B, 0x03 };		/* mov eax, [ebx] */
	static const u8 mov_ax_ebx[] = { 0x66, 0x8B, 0x03 };	/* mov ax, [ebx] */
	static const u8 movzx_ecx_byte[] = { 0x0F, 0xB6, 0x0B };	/* movzx ecx, byte [ebx] */

	(void)state;
	v.gpr[GPR_RBX] = DEV_BASE + 0x10;
	v.gpr[GPR_RAX] = 0xFFFFFFFF;
	assert_int_equal(exit_on(mov_eax_ebx, sizeof(mov_eax_ebx), DEV_BASE + 0x10, QUAL_READ), 0);
	assert_int_equal(seen.size, 4);
	assert_int_equal(seen.gpa, DEV_BASE + 0x10);
	assert_int_equal(v.gpr[GPR_RAX], 0x44332211);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), CODE + sizeof(mov_eax_ebx));
	v.gpr[GPR_RAX] = 0xAAAAAAAA;
	assert_int_equal(exit_on(mov_ax_ebx, sizeof(mov_ax_ebx), DEV_BASE + 0x10, QUAL_READ), 0);
	assert_int_equal(seen.size, 2);
	assert_int_equal(v.gpr[GPR_RAX], 0xAAAA2211);	/* AX only */
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), CODE + sizeof(mov_ax_ebx));
	v.gpr[GPR_RCX] = 0xFFFFFFFF;
	assert_int_equal(exit_on(movzx_ecx_byte, sizeof(movzx_ecx_byte), DEV_BASE + 0x10, QUAL_READ), 0);
	assert_int_equal(seen.size, 1);
	assert_int_equal(v.gpr[GPR_RCX], 0x11);
	assert_int_equal(seen.reads, 3);
	assert_int_equal(seen.stops, 0);
}

static void test_writes(void **state)
{
	static const u8 mov_ebx_eax[] = { 0x89, 0x03 };		/* mov [ebx], eax */
	static const u8 mov_byte_imm[] = { 0xC6, 0x03, 0x5A };	/* mov byte [ebx], 0x5a */

	(void)state;
	v.gpr[GPR_RBX] = DEV_BASE + 0x20;
	v.gpr[GPR_RAX] = 0x1122334455667788ULL;
	assert_int_equal(exit_on(mov_ebx_eax, sizeof(mov_ebx_eax), DEV_BASE + 0x20, QUAL_WRITE), 0);
	assert_int_equal(seen.writes, 1);
	assert_int_equal(seen.size, 4);
	assert_int_equal(seen.val, 0x55667788);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), CODE + sizeof(mov_ebx_eax));
	assert_int_equal(exit_on(mov_byte_imm, sizeof(mov_byte_imm), DEV_BASE + 0x20, QUAL_WRITE), 0);
	assert_int_equal(seen.size, 1);
	assert_int_equal(seen.val, 0x5A);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), CODE + sizeof(mov_byte_imm));
}

static void test_stops(void **state)
{
	static const u8 mov_eax_ebx[] = { 0x8B, 0x03 };
	static const u8 undecodable[] = { 0x0F, 0x0B };		/* ud2 */

	(void)state;
	/* executing from the device's page */
	assert_int_equal(exit_on(mov_eax_ebx, sizeof(mov_eax_ebx), DEV_BASE, QUAL_FETCH | QUAL_READ), -1);
	assert_int_equal(seen.stops, 1);
	assert_int_equal(seen.reads, 0);
	vm.state = VM_RUNNING;
	/* nobody's GPA, no fallback: outside the VM */
	assert_int_equal(exit_on(mov_eax_ebx, sizeof(mov_eax_ebx), 0xC0000000, QUAL_READ), -1);
	assert_int_equal(seen.stops, 2);
	vm.state = VM_RUNNING;
	/* an instruction the decoder does not know touching the device */
	assert_int_equal(exit_on(undecodable, sizeof(undecodable), DEV_BASE, QUAL_READ), -1);
	assert_int_equal(seen.stops, 3);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), CODE);
	vm.state = VM_RUNNING;
	/* RIP outside guest RAM: nothing to decode */
	fake_vmcs_set(VMCS_GUEST_PHYS_ADDR, DEV_BASE);
	fake_vmcs_set(VMCS_EXIT_QUAL, QUAL_READ);
	fake_vmcs_set(VMCS_GUEST_RIP, 0x80000000);
	assert_int_equal(vmx_exit_ept_violation(&v), -1);
	assert_int_equal(seen.stops, 4);
	assert_int_equal(seen.reads, 0);
}

static void test_fallback(void **state)
{
	static const u8 mov_eax_ebx[] = { 0x8B, 0x03 };

	(void)state;
	/* a post-launched VM: what no handler of its own claims goes to the Service VM */
	vm.fallback = &fallback;
	v.gpr[GPR_RBX] = 0xC0000000;
	assert_int_equal(exit_on(mov_eax_ebx, sizeof(mov_eax_ebx), 0xC0000000, QUAL_READ), 0);
	assert_int_equal(seen.reads, 1);
	assert_int_equal(seen.gpa, 0xC0000000);
	assert_int_equal(v.gpr[GPR_RAX], 0x44332211);
	assert_int_equal(seen.stops, 0);
}

static int refusing_read(struct vcpu *vc, void *opaque, u64 gpa, unsigned size, u64 *val)
{
	(void)vc, (void)opaque, (void)gpa, (void)size;
	*val = 0x1234;
	return -EINVAL;
}

/* STOS writes through and moves EDI as DF says; TEST sets RFLAGS from the read; a failed read gives all ones. */
static void test_string_test_and_errors(void **state)
{
	static const u8 stosd[] = { 0xAB };			/* stosd */
	static const u8 test_ebx_eax[] = { 0x85, 0x03 };	/* test [ebx], eax */
	static const u8 mov_eax_ebx[] = { 0x8B, 0x03 };

	(void)state;
	v.gpr[GPR_RDI] = DEV_BASE + 0x30;
	v.gpr[GPR_RAX] = 0xCAFEF00D;
	fake_vmcs_set(VMCS_GUEST_RFLAGS, 0x2);
	assert_int_equal(exit_on(stosd, sizeof(stosd), DEV_BASE + 0x30, QUAL_WRITE), 0);
	assert_int_equal(seen.val, 0xCAFEF00D);
	assert_int_equal(v.gpr[GPR_RDI], DEV_BASE + 0x34);
	fake_vmcs_set(VMCS_GUEST_RFLAGS, 0x2 | BIT(10));	/* DF: downwards */
	assert_int_equal(exit_on(stosd, sizeof(stosd), DEV_BASE + 0x34, QUAL_WRITE), 0);
	assert_int_equal(v.gpr[GPR_RDI], DEV_BASE + 0x30);
	/* TEST: only flags change; the register keeps its value */
	v.gpr[GPR_RBX] = DEV_BASE + 0x10;
	v.gpr[GPR_RAX] = 0x100;					/* 0x44332211 & 0x100 == 0 */
	fake_vmcs_set(VMCS_GUEST_RFLAGS, 0x2);
	assert_int_equal(exit_on(test_ebx_eax, sizeof(test_ebx_eax), DEV_BASE + 0x10, QUAL_READ), 0);
	assert_true(fake_vmcs_get(VMCS_GUEST_RFLAGS) & BIT(6));	/* ZF */
	assert_int_equal(v.gpr[GPR_RAX], 0x100);
	v.gpr[GPR_RAX] = 0x1;
	assert_int_equal(exit_on(test_ebx_eax, sizeof(test_ebx_eax), DEV_BASE + 0x10, QUAL_READ), 0);
	assert_false(fake_vmcs_get(VMCS_GUEST_RFLAGS) & BIT(6));
	/* a device without a read handler, or one that refuses the read: the bus floats */
	vm.nr_mmio = 0;
	assert_int_equal(vm_register_mmio(&vm, DEV_BASE, DEV_LEN, NULL, dev_write, NULL), 0);
	assert_int_equal(vm_register_mmio(&vm, DEV_BASE + DEV_LEN, DEV_LEN, refusing_read, dev_write, NULL), 0);
	v.gpr[GPR_RAX] = 0;
	assert_int_equal(exit_on(mov_eax_ebx, sizeof(mov_eax_ebx), DEV_BASE + 0x10, QUAL_READ), 0);
	assert_int_equal(v.gpr[GPR_RAX], 0xFFFFFFFF);
	v.gpr[GPR_RAX] = 0;
	v.gpr[GPR_RBX] = DEV_BASE + DEV_LEN;
	assert_int_equal(exit_on(mov_eax_ebx, sizeof(mov_eax_ebx), DEV_BASE + DEV_LEN, QUAL_READ), 0);
	assert_int_equal(v.gpr[GPR_RAX], 0xFFFFFFFF);
}

/* A guest with paging on: the instruction is found through its page tables. */
static void test_paging(void **state)
{
	static const u8 mov_eax_ebx[] = { 0x8B, 0x03 };
	u32 pde = 0x4000 | 0x7, pte = 0x2000 | 0x7;		/* linear 0x1000 -> physical 0x2000 */

	(void)state;
	v.cr0_shadow = X86_CR0_PE | X86_CR0_PG;
	fake_vmcs_set(VMCS_GUEST_CR3, 0x3000);
	memcpy(ram + 0x3000, &pde, 4);
	memcpy(ram + 0x4000 + 4, &pte, 4);
	memcpy(ram + 0x2000, mov_eax_ebx, sizeof(mov_eax_ebx));
	memset(ram + CODE, 0x0F, 16);				/* not what runs at linear CODE */
	fake_vmcs_set(VMCS_GUEST_RIP, CODE);
	fake_vmcs_set(VMCS_GUEST_PHYS_ADDR, DEV_BASE);
	fake_vmcs_set(VMCS_EXIT_QUAL, QUAL_READ);
	v.gpr[GPR_RBX] = DEV_BASE;
	assert_int_equal(vmx_exit_ept_violation(&v), 0);
	assert_int_equal(v.gpr[GPR_RAX], 0x44332211);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_RIP), CODE + 2);
	/* its page table outside its RAM: nothing to decode */
	pde = 0x80000000 | 0x7;
	memcpy(ram + 0x3000, &pde, 4);
	fake_vmcs_set(VMCS_GUEST_RIP, CODE);
	assert_int_equal(vmx_exit_ept_violation(&v), -1);
	assert_int_equal(seen.stops, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reads, setup),
		cmocka_unit_test_setup(test_writes, setup),
		cmocka_unit_test_setup(test_stops, setup),
		cmocka_unit_test_setup(test_fallback, setup),
		cmocka_unit_test_setup(test_string_test_and_errors, setup),
		cmocka_unit_test_setup(test_paging, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
