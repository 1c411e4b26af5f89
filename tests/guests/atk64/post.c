/*
 * The post-launched attacker: atk64 gives up its second CPU, then creates,
 * loads (the attack guest, role=post) and serves one post-launched VM per
 * run; each run ends with an attack that stops that VM, which atk64 then
 * destroys. Run 1 also has its RAM taken away under it while it writes
 * there, with interrupts on and again with them off: the pages must stay
 * untouched after VM_SET_MEMORY_REGIONS returns.
 * Run 2 polls for completion, and its reads of PATK_HOSTILE_PORT get a slot
 * rewritten while the hypervisor reads it (hostile_hook). Run 4 halts with
 * interrupts off: PAUSE_VM and DESTROY_VM must still take it off its pCPU.
 */
#include "dm.h"
#include "atk64.h"

#define RAM_ATTR	(ABI_MEM_TYPE_WB | ABI_MEM_ACCESS_RWX)
#define QUIET_MS	300	/* a stopped VM sends nothing: how long to wait for that */
#define CMDLINE_MAX	64

static struct abi_vm_creation creation;
static struct abi_mem_region_op region;
static struct abi_mem_region_batch batch;
static struct abi_vcpu_regs regs;
static struct abi_ioreq_buffer iobuf;
static struct serve_stats st;

static s64 region_op(u16 vmid, u32 type, u64 user_gpa, u64 size)
{
	region = (struct abi_mem_region_op){ .type = type, .attr = RAM_ATTR, .user_vm_pa = user_gpa,
		.service_vm_pa = POST_RAM_BASE + user_gpa, .size = size };
	batch = (struct abi_mem_region_batch){ .vmid = vmid, .regions_num = 1, .regions_gpa = (u64)&region };
	return hcall(HC_VM_SET_MEMORY_REGIONS, (u64)&batch, 0);
}

static u16 hostile_vmid;

/*
 * A device model that lies: the value wider than the access, then (COMPLETE
 * already set, the vCPU polling for it on its own pCPU) type, size,
 * direction and value rewritten under the hypervisor's read, and
 * NOTIFY_REQUEST_FINISH for vCPUs that have nothing pending.
 */
static bool hostile_hook(volatile struct abi_io_request *req, unsigned vcpu)
{
	volatile struct abi_pio_request *p = &req->reqs.pio_request;

	if (req->type != ABI_IOREQ_TYPE_PORTIO || p->address != PATK_HOSTILE_PORT)
		return false;
	p->value = 0xFFFFFFFF;
	p->size = 0xFFFFFFFF;
	asm volatile("mfence" ::: "memory");
	req->processed = ABI_IOREQ_STATE_COMPLETE;
	for (unsigned i = 0; i < 64; i++) {
		req->type = i % 5;
		p->size = i & 1 ? 0xFFFFFFFFFFFFFFFFULL : 8;
		p->direction = i & 1;
		p->value = ~0U - i;
		req->reqs.mmio_request.address = ~0ULL;
	}
	hcall(HC_NOTIFY_REQUEST_FINISH, hostile_vmid, vcpu);
	for (unsigned other = 1; other < 20; other += 3)
		hcall(HC_NOTIFY_REQUEST_FINISH, hostile_vmid, other);
	hcall(HC_NOTIFY_REQUEST_FINISH, hostile_vmid, 0xFFFF);
	return true;
}

static s64 launch(unsigned run, u16 *vmid)
{
	char *cmdline = (char *)(POST_RAM_BASE + POST_CMDLINE_GPA);
	u64 entry;
	s64 r;

	memset(&creation, 0, sizeof(creation));
	creation.vmid = 0xFFFF;
	if (run == 2)
		creation.vm_flag = ABI_VM_FLAG_IO_COMPLETION_POLLING;
	r = hcall(HC_CREATE_VM, (u64)&creation, 0);
	*vmid = hostile_vmid = creation.vmid;
	if (!r)
		r = region_op(*vmid, ABI_MEM_REGION_ADD, 0, POST_RAM_SIZE);
	if (!r)
		r = post_load(&entry);
	if (r)
		return r;
	/* load.c wrote "name=post"; the attack guest reads its role and run */
	memset(cmdline, 0, CMDLINE_MAX);
	memcpy(cmdline, "role=post run=", 14);
	cmdline[14] = (char)('0' + run);
	post_regs(&regs, 0, entry);
	r = hcall(HC_SET_VCPU_REGS, *vmid, (u64)&regs);
	serve_init(*vmid);
	iobuf.ioreq_buf = (u64)&ioreq_page;
	if (!r)
		r = hcall(HC_SET_IOREQ_BUFFER, *vmid, (u64)&iobuf);
	if (!r)
		r = hcall(HC_START_VM, *vmid, 0);
	return r;
}

/* What the guest writes at gpa must stop landing in our page once the DEL returns. */
static bool take_ram_away(u16 vmid, u32 gpa, u32 done_phase, const char *name)
{
	volatile u32 *page = (volatile u32 *)(POST_RAM_BASE + gpa);
	u32 seen[PATK_HAMMER_WORDS], changed = 0;
	s64 r = region_op(vmid, ABI_MEM_REGION_DEL, gpa, PATK_HAMMER_SIZE);

	for (unsigned i = 0; i < PATK_HAMMER_WORDS; i++)
		seen[i] = page[i];
	serve_phase(done_phase, &st);	/* the guest goes on writing, then reports */
	for (unsigned i = 0; i < PATK_HAMMER_WORDS; i++)
		changed += page[i] != seen[i];
	dm_printf("# %s: DEL of the guest's 0x%x+0x%x: %s; %u of its first %u words changed in our page "
		  "after the DEL returned\n", name, gpa, PATK_HAMMER_SIZE, r ? errno_name(r) : "0", changed,
		  PATK_HAMMER_WORDS);
	return !r && !changed;
}

void post_attacks(void)
{
	s64 r = hcall(HC_SOS_REMOVE_CPU, 1, 0);	/* our vCPU 1 (LAPIC id 1): the template's CPU */
	bool held = true, held_cli = true;

	serve_watchdog_ms = QUIET_MS * 10;
	if (r)
		dm_printf("# SOS_REMOVE_CPU of our vCPU 1: %s\n", errno_name(r) ? errno_name(r) : "?");
	for (unsigned run = 1; run <= PATK_RUNS; run++) {
		u16 vmid = 0xFFFF;

		r = launch(run, &vmid);
		if (r) {
			dm_printf("# post attacker run %u: launch failed: %s\n", run,
				  errno_name(r) ? errno_name(r) : "?");
			hcall(HC_DESTROY_VM, vmid, 0);
			continue;
		}
		if (run == 1) {
			serve_phase(PATK_PHASE_HAMMER, &st);
			held = take_ram_away(vmid, PATK_HAMMER_GPA, PATK_PHASE_HAMMERED,
					     "memory-taken-while-written");
			serve_phase(PATK_PHASE_HAMMER_CLI, &st);
			held_cli = take_ram_away(vmid, PATK_HAMMER_CLI_GPA, PATK_PHASE_HAMMERED_CLI,
						 "memory-taken-while-written-irqs-off");
		}
		serve_hook = run == 2 ? hostile_hook : NULL;
		serve_polling = run == 2;
		serve_phase(PATK_PHASE_FINAL, &st);	/* its last attack comes now */
		serve_watchdog_ms = QUIET_MS;
		serve_phase(PATK_PHASE_NEVER, &st);	/* until it has gone quiet: stopped */
		serve_watchdog_ms = QUIET_MS * 10;
		serve_hook = NULL;
		serve_polling = false;
		r = hcall(HC_PAUSE_VM, vmid, 0);
		if (!r)
			r = hcall(HC_DESTROY_VM, vmid, 0);
		dm_printf("# post attacker run %u: paused and destroyed: %s\n", run, r ? errno_name(r) : "0");
		if (run == PATK_RUN_HALT)
			tap(!r, "halted-with-interrupts-off: %s", r ? "ESCAPE" : "contained");
		if (run == 1) {
			tap(held, "memory-taken-while-written: %s", held ? "contained" : "ESCAPE");
			tap(held_cli, "memory-taken-while-written-irqs-off: %s",
			    held_cli ? "contained" : "ESCAPE");
		}
	}
}
