/*
 * Structures and constants of the ACRN hypercall ABI (see shared/acrn-abi.md),
 * laid out byte for byte like Linux's <linux/acrn.h> and its HSM driver.
 * tests/unit/test_acrn_abi.c checks every size and offset against Linux.
 * Guest-facing: nothing here may depend on hypervisor internals.
 */
#ifndef BH_PUBLIC_ACRN_ABI_H
#define BH_PUBLIC_ACRN_ABI_H

#include "types.h"

/* GET_API_VERSION answers this (ACRN's current API is 1.0). */
#define ABI_API_VERSION_MAJOR		1
#define ABI_API_VERSION_MINOR		0

struct abi_api_version {
	u32 major_version;
	u32 minor_version;
};

/* VM ids as the Service VM sees them; CREATE_VM failures used to return this. */
#define ABI_INVALID_VMID		0xFFFFU

/* SET_CALLBACK_VECTOR range, and the vector Linux's HSM expects by default. */
#define ABI_CALLBACK_VECTOR_MIN		0x20
#define ABI_CALLBACK_VECTOR_MAX		0xFF
#define ABI_CALLBACK_VECTOR_DEFAULT	0xF3

/* ---- I/O request forwarding ---- */

#define ABI_IO_REQUEST_MAX		16	/* slots per buffer; slot = vCPU id */

#define ABI_IOREQ_STATE_PENDING		0
#define ABI_IOREQ_STATE_COMPLETE	1
#define ABI_IOREQ_STATE_PROCESSING	2
#define ABI_IOREQ_STATE_FREE		3

#define ABI_IOREQ_TYPE_PORTIO		0
#define ABI_IOREQ_TYPE_MMIO		1
#define ABI_IOREQ_TYPE_PCICFG		2
#define ABI_IOREQ_TYPE_WP		3

#define ABI_IOREQ_DIR_READ		0
#define ABI_IOREQ_DIR_WRITE		1

struct abi_mmio_request {
	u32 direction;
	u32 reserved;
	u64 address;
	u64 size;
	u64 value;
};

struct abi_pio_request {
	u32 direction;
	u32 reserved;
	u64 address;
	u64 size;
	u32 value;
};

/* Shares its first fields with abi_pio_request (PORTIO and PCICFG complete alike). */
struct abi_pci_request {
	u32 direction;
	u32 reserved[3];
	u64 size;
	u32 value;
	u32 bus;
	u32 dev;
	u32 func;
	u32 reg;
};

struct abi_io_request {
	u32 type;
	u32 completion_polling;
	u32 reserved0[14];
	union {
		struct abi_pio_request pio_request;
		struct abi_pci_request pci_request;
		struct abi_mmio_request mmio_request;
		u64 data[8];
	} reqs;
	u32 reserved1;
	u32 kernel_handled;
	u32 processed;		/* ABI_IOREQ_STATE_* */
} __aligned(256);

struct abi_io_request_buffer {
	union {
		struct abi_io_request req_slot[ABI_IO_REQUEST_MAX];
		u8 reserved[4096];
	};
};

/* HSM's NOTIFY_REQUEST_FINISH ioctl argument (the hypercall takes vmid, vcpu). */
struct abi_ioreq_notify {
	u16 vmid;
	u16 reserved;
	u32 vcpu;
};

/* SET_IOREQ_BUFFER: param2 points at this; ioreq_buf is the page's GPA. */
struct abi_ioreq_buffer {
	u64 ioreq_buf;
};

/* ---- VM management ---- */

/* acrn_vm_creation.vm_flag bits (ACRN's GUEST_FLAG_*). */
#define ABI_VM_FLAG_SECURE_WORLD	BIT(0)
#define ABI_VM_FLAG_LAPIC_PASSTHROUGH	BIT(1)
#define ABI_VM_FLAG_IO_COMPLETION_POLLING BIT(2)
#define ABI_VM_FLAG_HIDE_MTRR		BIT(3)
#define ABI_VM_FLAG_RT			BIT(4)
#define ABI_VM_FLAG_NVMX		BIT(5)

struct abi_vm_creation {
	u16 vmid;		/* out */
	u16 reserved0;
	u16 vcpu_num;		/* out */
	u16 reserved1;
	u8 uuid[16];
	u64 vm_flag;
	u64 ioreq_buf;
	u64 cpu_affinity;	/* bitmap of physical CPUs */
};

struct abi_gp_regs {
	u64 rax;
	u64 rcx;
	u64 rdx;
	u64 rbx;
	u64 rsp;
	u64 rbp;
	u64 rsi;
	u64 rdi;
	u64 r8;
	u64 r9;
	u64 r10;
	u64 r11;
	u64 r12;
	u64 r13;
	u64 r14;
	u64 r15;
};

struct abi_descriptor_ptr {
	u16 limit;
	u64 base;
	u16 reserved[3];
} __packed;

struct abi_regs {
	struct abi_gp_regs gprs;
	struct abi_descriptor_ptr gdt;
	struct abi_descriptor_ptr idt;
	u64 rip;
	u64 cs_base;
	u64 cr0;
	u64 cr4;
	u64 cr3;
	u64 ia32_efer;
	u64 rflags;
	u64 reserved_64[4];
	u32 cs_ar;		/* VMCS access-rights format */
	u32 cs_limit;
	u32 reserved_32[3];
	u16 cs_sel;
	u16 ss_sel;
	u16 ds_sel;
	u16 es_sel;
	u16 fs_sel;
	u16 gs_sel;
	u16 ldt_sel;
	u16 tr_sel;
};

struct abi_vcpu_regs {
	u16 vcpu_id;
	u16 reserved[3];
	struct abi_regs vcpu_regs;
};

/* ---- Memory ---- */

#define ABI_MEM_ACCESS_RIGHT_MASK	0x00000007U
#define ABI_MEM_ACCESS_READ		0x00000001U
#define ABI_MEM_ACCESS_WRITE		0x00000002U
#define ABI_MEM_ACCESS_EXEC		0x00000004U
#define ABI_MEM_ACCESS_RWX		(ABI_MEM_ACCESS_READ | ABI_MEM_ACCESS_WRITE | \
					 ABI_MEM_ACCESS_EXEC)

#define ABI_MEM_TYPE_MASK		0x000007C0U
#define ABI_MEM_TYPE_WB			0x00000040U
#define ABI_MEM_TYPE_WT			0x00000080U
#define ABI_MEM_TYPE_UC			0x00000100U
#define ABI_MEM_TYPE_WC			0x00000200U
#define ABI_MEM_TYPE_WP			0x00000400U

#define ABI_MEMMAP_RAM			0
#define ABI_MEMMAP_MMIO			1

/* HSM's SET_MEMSEG ioctl argument; the hypercall itself takes a region batch. */
struct abi_vm_memmap {
	u32 type;
	u32 attr;
	u64 user_vm_pa;
	union {
		u64 service_vm_pa;
		u64 vma_base;
	};
	u64 len;
};

#define ABI_MEM_REGION_ADD		0
#define ABI_MEM_REGION_DEL		2

/* VM_SET_MEMORY_REGIONS: param1 points at a batch, which points at its ops. */
struct abi_mem_region_op {
	u32 type;		/* ABI_MEM_REGION_* */
	u32 attr;		/* ABI_MEM_TYPE_* | ABI_MEM_ACCESS_* */
	u64 user_vm_pa;
	u64 service_vm_pa;
	u64 size;
};

struct abi_mem_region_batch {
	u16 vmid;
	u16 reserved[3];
	u32 regions_num;
	u32 pad;		/* implicit padding in Linux's struct */
	u64 regions_gpa;
};

/* ---- Interrupts ---- */

/* SET_IRQLINE: param2 is this struct packed into a u64 (gsi in bits 31:0). */
#define ABI_GSI_SET_HIGH		0
#define ABI_GSI_SET_LOW			1
#define ABI_GSI_RAISING_PULSE		2
#define ABI_GSI_FALLING_PULSE		3

struct abi_irqline_ops {
	u32 gsi;
	u32 op;			/* ABI_GSI_* */
};

#define ABI_IRQLINE_GSI(p)		((u32)(p))
#define ABI_IRQLINE_OP(p)		((u32)((p) >> 32))

struct abi_msi_entry {
	u64 msi_addr;		/* 0xFEExxxxx: bits 19:12 destination */
	u64 msi_data;		/* bits 7:0 vector, 10:8 delivery mode */
};

/* ---- Passthrough devices ---- */

#define ABI_PTDEV_IRQ_INTX		0
#define ABI_PTDEV_IRQ_MSI		1
#define ABI_PTDEV_IRQ_MSIX		2

struct abi_ptdev_irq {
	u32 type;		/* ABI_PTDEV_IRQ_* */
	u16 virt_bdf;
	u16 phys_bdf;
	struct {
		u32 virt_pin;
		u32 phys_pin;
		u32 is_pic_pin;
	} intx;
};

#define ABI_PTDEV_QUIRK_ASSIGN		BIT(0)
#define ABI_MMIODEV_RES_NUM		3
#define ABI_PCI_NUM_BARS		6

struct abi_pcidev {
	u32 type;		/* 0, or ABI_PTDEV_QUIRK_ASSIGN */
	u16 virt_bdf;
	u16 phys_bdf;
	u8 intr_line;
	u8 intr_pin;
	u32 bar[ABI_PCI_NUM_BARS];	/* raw BAR registers as the VM will see them */
};

struct abi_mmiodev_res {
	u64 user_vm_pa;
	u64 service_vm_pa;
	u64 size;
	u64 mem_type;
};

struct abi_mmiodev {
	u8 name[8];
	struct abi_mmiodev_res res[ABI_MMIODEV_RES_NUM];
};

struct abi_vdev {
	union {
		u64 value;
		struct {
			u16 vendor;
			u16 device;
			u32 legacy_id;
		} fields;
	} id;
	u64 slot;
	u32 io_addr[ABI_PCI_NUM_BARS];
	u32 io_size[ABI_PCI_NUM_BARS];
	u8 args[128];
};

/* ---- Power management (PM_GET_CPU_STATE) ---- */

#define ABI_PMCMD_TYPE_MASK		0x000000FFU
#define ABI_PMCMD_GET_PX_CNT		0
#define ABI_PMCMD_GET_PX_DATA		1
#define ABI_PMCMD_GET_CX_CNT		2
#define ABI_PMCMD_GET_CX_DATA		3

struct abi_acpi_generic_address {
	u8 space_id;
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;
	u64 address;
} __packed;

struct abi_cstate_data {
	struct abi_acpi_generic_address cx_reg;
	u8 type;
	u32 latency;
	u64 power;
};

struct abi_pstate_data {
	u64 core_frequency;
	u64 power;
	u64 transition_latency;
	u64 bus_master_latency;
	u64 control;
	u64 status;
};

/* Sizes the hypervisor relies on (the host test compares every field with Linux). */
_Static_assert(sizeof(struct abi_io_request) == 256, "ioreq slot is 256 bytes");
_Static_assert(sizeof(struct abi_io_request_buffer) == 4096, "ioreq buffer is one page");
_Static_assert(sizeof(struct abi_descriptor_ptr) == 16, "packed descriptor");
_Static_assert(sizeof(struct abi_mem_region_op) == 32, "region op is 32 bytes");
_Static_assert(sizeof(struct abi_mem_region_batch) == 24, "region batch is 24 bytes");
_Static_assert(sizeof(struct abi_irqline_ops) == 8, "irqline ops pack into a u64");

#endif
