/*
 * FADT (ACPI 6.3 layout, revision 6, 276 bytes) and FACS.
 *
 * Not hardware-reduced, on purpose: the hypervisor's power-off contract is a
 * 16-bit write of SLP_TYP|SLP_EN to PM1a_CNT (port 0x404), which is what
 * Linux's legacy sleep path does. A hardware-reduced FADT would make Linux
 * write one byte to SLEEP_CONTROL_REG instead, and would also switch off its
 * PIT/legacy PIC setup. The legacy path in ACPICA writes PM1 status (wake
 * status clear) before PM1a_CNT and gives up if PM1a_EVT_BLK has no address,
 * so a PM1a event block is declared too; nothing needs to emulate it (reads
 * of all ones are fine: the SCI is never raised). SMI_CMD = 0 means "always
 * in ACPI mode"; no PM timer, no GPE blocks. See dm/vacpi/README.md.
 */
#include "lib.h"
#include "acpi.h"
#include "vacpi.h"

struct gas {
	u8 space_id;		/* 0 memory, 1 I/O */
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;		/* 1 byte, 2 word, 3 dword, 4 qword */
	u64 address;
} __packed;

struct fadt {
	struct acpi_sdt_header h;
	u32 firmware_ctrl;
	u32 dsdt;
	u8 reserved0;
	u8 preferred_pm_profile;
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	u32 pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk;
	u32 pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
	u8 pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	u8 gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	u16 p_lvl2_lat, p_lvl3_lat;
	u16 flush_size, flush_stride;
	u8 duty_offset, duty_width, day_alrm, mon_alrm, century;
	u16 iapc_boot_arch;
	u8 reserved1;
	u32 flags;
	struct gas reset_reg;
	u8 reset_value;
	u16 arm_boot_arch;
	u8 minor_version;
	u64 x_firmware_ctrl;
	u64 x_dsdt;
	struct gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct gas x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk;
	struct gas sleep_control_reg, sleep_status_reg;
	u64 hypervisor_vendor_id;
} __packed;

_Static_assert(sizeof(struct fadt) == 276, "FADT layout");
_Static_assert(__builtin_offsetof(struct fadt, reset_reg) == 116, "FADT layout");
_Static_assert(__builtin_offsetof(struct fadt, x_dsdt) == 140, "FADT layout");
_Static_assert(__builtin_offsetof(struct fadt, sleep_control_reg) == 244, "FADT layout");

/* FADT flags */
#define FADT_WBINVD		BIT(0)
#define FADT_PROC_C1		BIT(2)
#define FADT_PWR_BUTTON		BIT(4)	/* set: no fixed-feature power button */
#define FADT_SLP_BUTTON		BIT(5)	/* set: no fixed-feature sleep button */
#define FADT_FIX_RTC		BIT(6)	/* set: no RTC wake status in PM1 */
#define FADT_RESET_REG_SUP	BIT(10)
#define FADT_HEADLESS		BIT(12)

/* IA-PC boot architecture flags: no 8042, no VGA, no CMOS RTC, hands off ASPM */
#define BOOT_VGA_NOT_PRESENT	BIT(2)
#define BOOT_PCIE_ASPM_CONTROLS	BIT(4)
#define BOOT_CMOS_RTC_ABSENT	BIT(5)

#define GAS_IO 1

static void gas_io(struct gas *g, u16 port, u8 bytes, u8 access)
{
	g->space_id = GAS_IO;
	g->bit_width = (u8)(bytes * 8);
	g->bit_offset = 0;
	g->access_size = access;
	g->address = port;
}

void vacpi_build_fadt(struct vacpi_out *o, const struct vacpi_vm *vm, u64 facs_gpa,
		      u64 dsdt_gpa)
{
	size_t at = vacpi_sdt_begin(o, "FACP", 6);
	struct fadt *f;

	vacpi_reserve(o, sizeof(*f) - sizeof(f->h));
	if (o->overflow)
		return;
	f = (void *)(o->buf + at);
	/* X_FIRMWARE_CTRL must stay 0 when FIRMWARE_CTRL is used (ACPI 6.3 5.2.9) */
	f->firmware_ctrl = (u32)facs_gpa;
	f->dsdt = (u32)dsdt_gpa;
	f->x_dsdt = dsdt_gpa;
	f->sci_int = vm->pm.sci_irq;
	f->smi_cmd = 0;
	f->pm1a_evt_blk = vm->pm.pm1a_evt_port;
	f->pm1_evt_len = 4;
	gas_io(&f->x_pm1a_evt_blk, vm->pm.pm1a_evt_port, 4, 2);
	f->pm1a_cnt_blk = vm->pm.pm1a_cnt_port;
	f->pm1_cnt_len = 2;
	gas_io(&f->x_pm1a_cnt_blk, vm->pm.pm1a_cnt_port, 2, 2);
	f->p_lvl2_lat = 101;	/* > 100: no C2 */
	f->p_lvl3_lat = 1001;	/* > 1000: no C3 */
	f->iapc_boot_arch = BOOT_VGA_NOT_PRESENT | BOOT_PCIE_ASPM_CONTROLS |
			    BOOT_CMOS_RTC_ABSENT;
	f->flags = FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON | FADT_SLP_BUTTON |
		   FADT_FIX_RTC | FADT_RESET_REG_SUP | FADT_HEADLESS;
	gas_io(&f->reset_reg, vm->pm.reset_port, 1, 1);
	f->reset_value = vm->pm.reset_value;
	f->minor_version = 3;
	memcpy(&f->hypervisor_vendor_id, "BULKHEAD", 8);
	vacpi_sdt_end(o, at);
}

struct facs {
	char signature[4];
	u32 length;
	u32 hardware_signature;
	u32 firmware_waking_vector;
	u32 global_lock;
	u32 flags;
	u64 x_firmware_waking_vector;
	u8 version;
	u8 reserved0[3];
	u32 ospm_flags;
	u8 reserved1[24];
} __packed;

_Static_assert(sizeof(struct facs) == 64, "FACS layout");

/* No checksum; the global lock and waking vectors stay 0 (no S1-S4). */
void vacpi_build_facs(struct vacpi_out *o)
{
	struct facs *f = (void *)vacpi_reserve(o, sizeof(*f));

	if (!f)
		return;
	memcpy(f->signature, "FACS", 4);
	f->length = sizeof(*f);
	f->version = 2;
}
