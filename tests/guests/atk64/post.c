/*
 * The post-launched attacker: atk64 gives up its second CPU, then creates,
 * loads (the attack guest, role=post) and serves one post-launched VM per
 * run; each run ends with an attack that stops that VM, which atk64 then
 * destroys. Run 1 also has its RAM taken away under it while it writes
 * there: the pages must stay untouched after VM_SET_MEMORY_REGIONS returns.
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

static s64 launch(unsigned run, u16 *vmid)
{
	char *cmdline = (char *)(POST_RAM_BASE + POST_CMDLINE_GPA);
	u64 entry;
	s64 r;

	memset(&creation, 0, sizeof(creation));
	creation.vmid = 0xFFFF;
	r = hcall(HC_CREATE_VM, (u64)&creation, 0);
	*vmid = creation.vmid;
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

/* What the guest writes to HAMMER_GPA must stop landing in our page once the DEL returns. */
static bool take_ram_away(u16 vmid)
{
	volatile u32 *page = (volatile u32 *)(POST_RAM_BASE + PATK_HAMMER_GPA);
	u32 seen[PATK_HAMMER_WORDS], changed = 0;
	s64 r = region_op(vmid, ABI_MEM_REGION_DEL, PATK_HAMMER_GPA, PATK_HAMMER_SIZE);

	for (unsigned i = 0; i < PATK_HAMMER_WORDS; i++)
		seen[i] = page[i];
	serve_phase(PATK_PHASE_HAMMERED, &st);	/* the guest goes on writing, then reports */
	for (unsigned i = 0; i < PATK_HAMMER_WORDS; i++)
		changed += page[i] != seen[i];
	dm_printf("# memory-taken-while-written: DEL of the guest's 0x%x+0x%x: %s; %u of its first %u words "
		  "changed in our page after the DEL returned\n", PATK_HAMMER_GPA, PATK_HAMMER_SIZE,
		  r ? errno_name(r) : "0", changed, PATK_HAMMER_WORDS);
	return !r && !changed;
}

void post_attacks(void)
{
	s64 r = hcall(HC_SOS_REMOVE_CPU, 1, 0);	/* our vCPU 1 (LAPIC id 1): the template's CPU */
	bool held = true;

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
			held = take_ram_away(vmid);
		}
		serve_phase(PATK_PHASE_FINAL, &st);	/* its last attack comes now */
		serve_watchdog_ms = QUIET_MS;
		serve_phase(PATK_PHASE_NEVER, &st);	/* until it has gone quiet: stopped */
		serve_watchdog_ms = QUIET_MS * 10;
		r = hcall(HC_PAUSE_VM, vmid, 0);
		if (!r)
			r = hcall(HC_DESTROY_VM, vmid, 0);
		dm_printf("# post attacker run %u: paused and destroyed: %s\n", run, r ? errno_name(r) : "0");
		if (run == 1)
			tap(held, "memory-taken-while-written: %s", held ? "contained" : "ESCAPE");
	}
}
