/*
 * Our ABI header (include/public/acrn_abi.h) against Linux's <linux/acrn.h>:
 * every structure's size and alignment and every field's offset and size, plus
 * the constants. Both headers coexist: ours uses abi_/ABI_ names only.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <linux/acrn.h>
#include "public/acrn_abi.h"

#define MSIZE(T, f) sizeof(((T *)0)->f)

/* One field: same offset and same size in both. */
#define FIELD(OURS, THEIRS, f) do { \
	assert_int_equal(offsetof(OURS, f), offsetof(THEIRS, f)); \
	assert_int_equal(MSIZE(OURS, f), MSIZE(THEIRS, f)); \
} while (0)
/* Fields renamed on our side (guid_t uuid is our u8[16]). */
#define FIELD2(OURS, of, THEIRS, tf) do { \
	assert_int_equal(offsetof(OURS, of), offsetof(THEIRS, tf)); \
	assert_int_equal(MSIZE(OURS, of), MSIZE(THEIRS, tf)); \
} while (0)
#define SAME_SHAPE(OURS, THEIRS) do { \
	assert_int_equal(sizeof(OURS), sizeof(THEIRS)); \
	assert_int_equal(_Alignof(OURS), _Alignof(THEIRS)); \
} while (0)

static void test_io_request(void **state)
{
	(void)state;
	SAME_SHAPE(struct abi_mmio_request, struct acrn_mmio_request);
	FIELD(struct abi_mmio_request, struct acrn_mmio_request, direction);
	FIELD(struct abi_mmio_request, struct acrn_mmio_request, reserved);
	FIELD(struct abi_mmio_request, struct acrn_mmio_request, address);
	FIELD(struct abi_mmio_request, struct acrn_mmio_request, size);
	FIELD(struct abi_mmio_request, struct acrn_mmio_request, value);

	SAME_SHAPE(struct abi_pio_request, struct acrn_pio_request);
	FIELD(struct abi_pio_request, struct acrn_pio_request, direction);
	FIELD(struct abi_pio_request, struct acrn_pio_request, reserved);
	FIELD(struct abi_pio_request, struct acrn_pio_request, address);
	FIELD(struct abi_pio_request, struct acrn_pio_request, size);
	FIELD(struct abi_pio_request, struct acrn_pio_request, value);

	SAME_SHAPE(struct abi_pci_request, struct acrn_pci_request);
	FIELD(struct abi_pci_request, struct acrn_pci_request, direction);
	FIELD(struct abi_pci_request, struct acrn_pci_request, reserved);
	FIELD(struct abi_pci_request, struct acrn_pci_request, size);
	FIELD(struct abi_pci_request, struct acrn_pci_request, value);
	FIELD(struct abi_pci_request, struct acrn_pci_request, bus);
	FIELD(struct abi_pci_request, struct acrn_pci_request, dev);
	FIELD(struct abi_pci_request, struct acrn_pci_request, func);
	FIELD(struct abi_pci_request, struct acrn_pci_request, reg);

	SAME_SHAPE(struct abi_io_request, struct acrn_io_request);
	FIELD(struct abi_io_request, struct acrn_io_request, type);
	FIELD(struct abi_io_request, struct acrn_io_request, completion_polling);
	FIELD(struct abi_io_request, struct acrn_io_request, reserved0);
	FIELD(struct abi_io_request, struct acrn_io_request, reqs);
	FIELD(struct abi_io_request, struct acrn_io_request, reqs.pio_request);
	FIELD(struct abi_io_request, struct acrn_io_request, reqs.pio_request.value);
	FIELD(struct abi_io_request, struct acrn_io_request, reqs.pci_request);
	FIELD(struct abi_io_request, struct acrn_io_request, reqs.pci_request.reg);
	FIELD(struct abi_io_request, struct acrn_io_request, reqs.mmio_request);
	FIELD(struct abi_io_request, struct acrn_io_request, reqs.mmio_request.value);
	FIELD(struct abi_io_request, struct acrn_io_request, reqs.data);
	FIELD(struct abi_io_request, struct acrn_io_request, reserved1);
	FIELD(struct abi_io_request, struct acrn_io_request, kernel_handled);
	FIELD(struct abi_io_request, struct acrn_io_request, processed);
	assert_int_equal(offsetof(struct abi_io_request, reqs), 64);

	SAME_SHAPE(struct abi_io_request_buffer, struct acrn_io_request_buffer);
	FIELD(struct abi_io_request_buffer, struct acrn_io_request_buffer, req_slot);
	FIELD(struct abi_io_request_buffer, struct acrn_io_request_buffer, req_slot[15]);
	FIELD(struct abi_io_request_buffer, struct acrn_io_request_buffer, reserved);

	SAME_SHAPE(struct abi_ioreq_notify, struct acrn_ioreq_notify);
	FIELD(struct abi_ioreq_notify, struct acrn_ioreq_notify, vmid);
	FIELD(struct abi_ioreq_notify, struct acrn_ioreq_notify, reserved);
	FIELD(struct abi_ioreq_notify, struct acrn_ioreq_notify, vcpu);

	/* kernel-internal in Linux (acrn_drv.h): a single u64 */
	assert_int_equal(sizeof(struct abi_ioreq_buffer), 8);
	assert_int_equal(offsetof(struct abi_ioreq_buffer, ioreq_buf), 0);
}

static void test_vm_creation(void **state)
{
	(void)state;
	SAME_SHAPE(struct abi_vm_creation, struct acrn_vm_creation);
	FIELD(struct abi_vm_creation, struct acrn_vm_creation, vmid);
	FIELD(struct abi_vm_creation, struct acrn_vm_creation, reserved0);
	FIELD(struct abi_vm_creation, struct acrn_vm_creation, vcpu_num);
	FIELD(struct abi_vm_creation, struct acrn_vm_creation, reserved1);
	FIELD(struct abi_vm_creation, struct acrn_vm_creation, uuid);
	FIELD(struct abi_vm_creation, struct acrn_vm_creation, vm_flag);
	FIELD(struct abi_vm_creation, struct acrn_vm_creation, ioreq_buf);
	FIELD(struct abi_vm_creation, struct acrn_vm_creation, cpu_affinity);
	assert_int_equal(sizeof(struct abi_vm_creation), 48);
}

static void test_regs(void **state)
{
	(void)state;
	SAME_SHAPE(struct abi_gp_regs, struct acrn_gp_regs);
	FIELD(struct abi_gp_regs, struct acrn_gp_regs, rax);
	FIELD(struct abi_gp_regs, struct acrn_gp_regs, rcx);
	FIELD(struct abi_gp_regs, struct acrn_gp_regs, rdx);
	FIELD(struct abi_gp_regs, struct acrn_gp_regs, rbx);
	FIELD(struct abi_gp_regs, struct acrn_gp_regs, rsp);
	FIELD(struct abi_gp_regs, struct acrn_gp_regs, rbp);
	FIELD(struct abi_gp_regs, struct acrn_gp_regs, rsi);
	FIELD(struct abi_gp_regs, struct acrn_gp_regs, rdi);
	FIELD(struct abi_gp_regs, struct acrn_gp_regs, r8);
	FIELD(struct abi_gp_regs, struct acrn_gp_regs, r9);
	FIELD(struct abi_gp_regs, struct acrn_gp_regs, r10);
	FIELD(struct abi_gp_regs, struct acrn_gp_regs, r11);
	FIELD(struct abi_gp_regs, struct acrn_gp_regs, r12);
	FIELD(struct abi_gp_regs, struct acrn_gp_regs, r13);
	FIELD(struct abi_gp_regs, struct acrn_gp_regs, r14);
	FIELD(struct abi_gp_regs, struct acrn_gp_regs, r15);

	SAME_SHAPE(struct abi_descriptor_ptr, struct acrn_descriptor_ptr);
	FIELD(struct abi_descriptor_ptr, struct acrn_descriptor_ptr, limit);
	FIELD(struct abi_descriptor_ptr, struct acrn_descriptor_ptr, base);
	FIELD(struct abi_descriptor_ptr, struct acrn_descriptor_ptr, reserved);

	SAME_SHAPE(struct abi_regs, struct acrn_regs);
	FIELD(struct abi_regs, struct acrn_regs, gprs);
	FIELD(struct abi_regs, struct acrn_regs, gdt);
	FIELD(struct abi_regs, struct acrn_regs, idt);
	FIELD(struct abi_regs, struct acrn_regs, rip);
	FIELD(struct abi_regs, struct acrn_regs, cs_base);
	FIELD(struct abi_regs, struct acrn_regs, cr0);
	FIELD(struct abi_regs, struct acrn_regs, cr4);
	FIELD(struct abi_regs, struct acrn_regs, cr3);
	FIELD(struct abi_regs, struct acrn_regs, ia32_efer);
	FIELD(struct abi_regs, struct acrn_regs, rflags);
	FIELD(struct abi_regs, struct acrn_regs, reserved_64);
	FIELD(struct abi_regs, struct acrn_regs, cs_ar);
	FIELD(struct abi_regs, struct acrn_regs, cs_limit);
	FIELD(struct abi_regs, struct acrn_regs, reserved_32);
	FIELD(struct abi_regs, struct acrn_regs, cs_sel);
	FIELD(struct abi_regs, struct acrn_regs, ss_sel);
	FIELD(struct abi_regs, struct acrn_regs, ds_sel);
	FIELD(struct abi_regs, struct acrn_regs, es_sel);
	FIELD(struct abi_regs, struct acrn_regs, fs_sel);
	FIELD(struct abi_regs, struct acrn_regs, gs_sel);
	FIELD(struct abi_regs, struct acrn_regs, ldt_sel);
	FIELD(struct abi_regs, struct acrn_regs, tr_sel);

	SAME_SHAPE(struct abi_vcpu_regs, struct acrn_vcpu_regs);
	FIELD(struct abi_vcpu_regs, struct acrn_vcpu_regs, vcpu_id);
	FIELD(struct abi_vcpu_regs, struct acrn_vcpu_regs, reserved);
	FIELD(struct abi_vcpu_regs, struct acrn_vcpu_regs, vcpu_regs);
	FIELD(struct abi_vcpu_regs, struct acrn_vcpu_regs, vcpu_regs.tr_sel);
}

static void test_memory(void **state)
{
	(void)state;
	SAME_SHAPE(struct abi_vm_memmap, struct acrn_vm_memmap);
	FIELD(struct abi_vm_memmap, struct acrn_vm_memmap, type);
	FIELD(struct abi_vm_memmap, struct acrn_vm_memmap, attr);
	FIELD(struct abi_vm_memmap, struct acrn_vm_memmap, user_vm_pa);
	FIELD(struct abi_vm_memmap, struct acrn_vm_memmap, service_vm_pa);
	FIELD(struct abi_vm_memmap, struct acrn_vm_memmap, vma_base);
	FIELD(struct abi_vm_memmap, struct acrn_vm_memmap, len);

	/* kernel-internal in Linux (drivers/virt/acrn/acrn_drv.h): layout by hand */
	assert_int_equal(offsetof(struct abi_mem_region_batch, vmid), 0);
	assert_int_equal(offsetof(struct abi_mem_region_batch, reserved), 2);
	assert_int_equal(offsetof(struct abi_mem_region_batch, regions_num), 8);
	assert_int_equal(offsetof(struct abi_mem_region_batch, regions_gpa), 16);
	assert_int_equal(sizeof(struct abi_mem_region_batch), 24);
	assert_int_equal(offsetof(struct abi_mem_region_op, type), 0);
	assert_int_equal(offsetof(struct abi_mem_region_op, attr), 4);
	assert_int_equal(offsetof(struct abi_mem_region_op, user_vm_pa), 8);
	assert_int_equal(offsetof(struct abi_mem_region_op, service_vm_pa), 16);
	assert_int_equal(offsetof(struct abi_mem_region_op, size), 24);
	assert_int_equal(sizeof(struct abi_mem_region_op), 32);
}

static void test_interrupts(void **state)
{
	(void)state;
	SAME_SHAPE(struct abi_msi_entry, struct acrn_msi_entry);
	FIELD(struct abi_msi_entry, struct acrn_msi_entry, msi_addr);
	FIELD(struct abi_msi_entry, struct acrn_msi_entry, msi_data);

	SAME_SHAPE(struct abi_ptdev_irq, struct acrn_ptdev_irq);
	FIELD(struct abi_ptdev_irq, struct acrn_ptdev_irq, type);
	FIELD(struct abi_ptdev_irq, struct acrn_ptdev_irq, virt_bdf);
	FIELD(struct abi_ptdev_irq, struct acrn_ptdev_irq, phys_bdf);
	FIELD(struct abi_ptdev_irq, struct acrn_ptdev_irq, intx);
	FIELD(struct abi_ptdev_irq, struct acrn_ptdev_irq, intx.virt_pin);
	FIELD(struct abi_ptdev_irq, struct acrn_ptdev_irq, intx.phys_pin);
	FIELD(struct abi_ptdev_irq, struct acrn_ptdev_irq, intx.is_pic_pin);

	/* ACRN's acrn_irqline_ops, packed by HSM into SET_IRQLINE's u64 */
	struct abi_irqline_ops ops = { .gsi = 0x12345678, .op = ABI_GSI_FALLING_PULSE };
	u64 packed;

	memcpy(&packed, &ops, sizeof(packed));
	assert_int_equal(ABI_IRQLINE_GSI(packed), 0x12345678);
	assert_int_equal(ABI_IRQLINE_OP(packed), ABI_GSI_FALLING_PULSE);
	assert_int_equal(offsetof(struct abi_irqline_ops, op), 4);
}

static void test_devices(void **state)
{
	(void)state;
	SAME_SHAPE(struct abi_pcidev, struct acrn_pcidev);
	FIELD(struct abi_pcidev, struct acrn_pcidev, type);
	FIELD(struct abi_pcidev, struct acrn_pcidev, virt_bdf);
	FIELD(struct abi_pcidev, struct acrn_pcidev, phys_bdf);
	FIELD(struct abi_pcidev, struct acrn_pcidev, intr_line);
	FIELD(struct abi_pcidev, struct acrn_pcidev, intr_pin);
	FIELD(struct abi_pcidev, struct acrn_pcidev, bar);
	FIELD(struct abi_pcidev, struct acrn_pcidev, bar[5]);

	SAME_SHAPE(struct abi_mmiodev, struct acrn_mmiodev);
	FIELD(struct abi_mmiodev, struct acrn_mmiodev, name);
	FIELD(struct abi_mmiodev, struct acrn_mmiodev, res);
	for (int i = 0; i < ABI_MMIODEV_RES_NUM; i++) {
		assert_int_equal(offsetof(struct abi_mmiodev, res) + i * sizeof(struct abi_mmiodev_res),
				 offsetof(struct acrn_mmiodev, res) + i * MSIZE(struct acrn_mmiodev, res[0]));
	}
	FIELD(struct abi_mmiodev, struct acrn_mmiodev, res[0].user_vm_pa);
	FIELD(struct abi_mmiodev, struct acrn_mmiodev, res[0].service_vm_pa);
	FIELD(struct abi_mmiodev, struct acrn_mmiodev, res[0].size);
	FIELD(struct abi_mmiodev, struct acrn_mmiodev, res[0].mem_type);
	FIELD(struct abi_mmiodev, struct acrn_mmiodev, res[2].mem_type);

	SAME_SHAPE(struct abi_vdev, struct acrn_vdev);
	FIELD(struct abi_vdev, struct acrn_vdev, id);
	FIELD(struct abi_vdev, struct acrn_vdev, id.value);
	FIELD(struct abi_vdev, struct acrn_vdev, id.fields.vendor);
	FIELD(struct abi_vdev, struct acrn_vdev, id.fields.device);
	FIELD(struct abi_vdev, struct acrn_vdev, id.fields.legacy_id);
	FIELD(struct abi_vdev, struct acrn_vdev, slot);
	FIELD(struct abi_vdev, struct acrn_vdev, io_addr);
	FIELD(struct abi_vdev, struct acrn_vdev, io_size);
	FIELD(struct abi_vdev, struct acrn_vdev, args);
}

static void test_pm(void **state)
{
	(void)state;
	SAME_SHAPE(struct abi_acpi_generic_address, struct acrn_acpi_generic_address);
	FIELD(struct abi_acpi_generic_address, struct acrn_acpi_generic_address, space_id);
	FIELD(struct abi_acpi_generic_address, struct acrn_acpi_generic_address, bit_width);
	FIELD(struct abi_acpi_generic_address, struct acrn_acpi_generic_address, bit_offset);
	FIELD(struct abi_acpi_generic_address, struct acrn_acpi_generic_address, access_size);
	FIELD(struct abi_acpi_generic_address, struct acrn_acpi_generic_address, address);

	SAME_SHAPE(struct abi_cstate_data, struct acrn_cstate_data);
	FIELD(struct abi_cstate_data, struct acrn_cstate_data, cx_reg);
	FIELD(struct abi_cstate_data, struct acrn_cstate_data, type);
	FIELD(struct abi_cstate_data, struct acrn_cstate_data, latency);
	FIELD(struct abi_cstate_data, struct acrn_cstate_data, power);

	SAME_SHAPE(struct abi_pstate_data, struct acrn_pstate_data);
	FIELD(struct abi_pstate_data, struct acrn_pstate_data, core_frequency);
	FIELD(struct abi_pstate_data, struct acrn_pstate_data, power);
	FIELD(struct abi_pstate_data, struct acrn_pstate_data, transition_latency);
	FIELD(struct abi_pstate_data, struct acrn_pstate_data, bus_master_latency);
	FIELD(struct abi_pstate_data, struct acrn_pstate_data, control);
	FIELD(struct abi_pstate_data, struct acrn_pstate_data, status);
}

static void test_constants(void **state)
{
	(void)state;
	assert_int_equal(ABI_IO_REQUEST_MAX, ACRN_IO_REQUEST_MAX);
	assert_int_equal(ABI_IOREQ_STATE_PENDING, ACRN_IOREQ_STATE_PENDING);
	assert_int_equal(ABI_IOREQ_STATE_COMPLETE, ACRN_IOREQ_STATE_COMPLETE);
	assert_int_equal(ABI_IOREQ_STATE_PROCESSING, ACRN_IOREQ_STATE_PROCESSING);
	assert_int_equal(ABI_IOREQ_STATE_FREE, ACRN_IOREQ_STATE_FREE);
	assert_int_equal(ABI_IOREQ_TYPE_PORTIO, ACRN_IOREQ_TYPE_PORTIO);
	assert_int_equal(ABI_IOREQ_TYPE_MMIO, ACRN_IOREQ_TYPE_MMIO);
	assert_int_equal(ABI_IOREQ_TYPE_PCICFG, ACRN_IOREQ_TYPE_PCICFG);
	assert_int_equal(ABI_IOREQ_DIR_READ, ACRN_IOREQ_DIR_READ);
	assert_int_equal(ABI_IOREQ_DIR_WRITE, ACRN_IOREQ_DIR_WRITE);

	assert_int_equal(ABI_MEM_ACCESS_RIGHT_MASK, ACRN_MEM_ACCESS_RIGHT_MASK);
	assert_int_equal(ABI_MEM_ACCESS_READ, ACRN_MEM_ACCESS_READ);
	assert_int_equal(ABI_MEM_ACCESS_WRITE, ACRN_MEM_ACCESS_WRITE);
	assert_int_equal(ABI_MEM_ACCESS_EXEC, ACRN_MEM_ACCESS_EXEC);
	assert_int_equal(ABI_MEM_ACCESS_RWX, ACRN_MEM_ACCESS_RWX);
	assert_int_equal(ABI_MEM_TYPE_MASK, ACRN_MEM_TYPE_MASK);
	assert_int_equal(ABI_MEM_TYPE_WB, ACRN_MEM_TYPE_WB);
	assert_int_equal(ABI_MEM_TYPE_WT, ACRN_MEM_TYPE_WT);
	assert_int_equal(ABI_MEM_TYPE_UC, ACRN_MEM_TYPE_UC);
	assert_int_equal(ABI_MEM_TYPE_WC, ACRN_MEM_TYPE_WC);
	assert_int_equal(ABI_MEM_TYPE_WP, ACRN_MEM_TYPE_WP);
	assert_int_equal(ABI_MEMMAP_RAM, ACRN_MEMMAP_RAM);
	assert_int_equal(ABI_MEMMAP_MMIO, ACRN_MEMMAP_MMIO);

	assert_int_equal(ABI_PTDEV_IRQ_INTX, ACRN_PTDEV_IRQ_INTX);
	assert_int_equal(ABI_PTDEV_IRQ_MSI, ACRN_PTDEV_IRQ_MSI);
	assert_int_equal(ABI_PTDEV_IRQ_MSIX, ACRN_PTDEV_IRQ_MSIX);
	assert_int_equal(ABI_PTDEV_QUIRK_ASSIGN, ACRN_PTDEV_QUIRK_ASSIGN);
	assert_int_equal(ABI_MMIODEV_RES_NUM, ACRN_MMIODEV_RES_NUM);
	assert_int_equal(ABI_PCI_NUM_BARS, ACRN_PCI_NUM_BARS);

	assert_int_equal(ABI_PMCMD_TYPE_MASK, PMCMD_TYPE_MASK);
	assert_int_equal(ABI_PMCMD_GET_PX_CNT, ACRN_PMCMD_GET_PX_CNT);
	assert_int_equal(ABI_PMCMD_GET_PX_DATA, ACRN_PMCMD_GET_PX_DATA);
	assert_int_equal(ABI_PMCMD_GET_CX_CNT, ACRN_PMCMD_GET_CX_CNT);
	assert_int_equal(ABI_PMCMD_GET_CX_DATA, ACRN_PMCMD_GET_CX_DATA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_io_request),
		cmocka_unit_test(test_vm_creation),
		cmocka_unit_test(test_regs),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_interrupts),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_pm),
		cmocka_unit_test(test_constants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
