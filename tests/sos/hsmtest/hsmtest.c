/*
 * hsmtest: a device model in a Linux Service VM, through Linux's own ACRN
 * driver (/dev/acrn_hsm, <linux/acrn.h>) as ACRN's acrn-dm drives it, against
 * bulkhead. It launches the post-launched test guest (tests/guests/post, an
 * ELF32 multiboot guest) and serves its I/O requests: COM1 (relayed as
 * "post: ..." lines), the test device (post_dev.h) and PCI function 00:05.0.
 *
 *   remove_cpu, CREATE_VM (the VM's name in the uuid bytes, as acrn-dm),
 *   SET_MEMSEG from anonymous memory (4 KiB pages) and from hugetlbfs (2 MiB),
 *   load the guest, SET_VCPU_REGS, CREATE_IOREQ_CLIENT, ASSIGN_PCIDEV (the
 *   e1000) and SET_PTDEV_INTR, IOEVENTFD and IRQFD, START_VM, serve phase 1
 *   (ATTACH_IOREQ_CLIENT / NOTIFY_REQUEST_FINISH, INJECT_MSI, SET_IRQLINE);
 *   PAUSE_VM, take the e1000 back, CLEAR_VM_IOREQ, RESET_VM, reload, START_VM,
 *   serve phase 2; PAUSE_VM, DESTROY_IOREQ_CLIENT, DESTROY_VM; the refusals
 *   on the way. The hypervisor's free memory (bulkhead's CPUID leaf
 *   0x40000101) after DESTROY_VM must be what it was before CREATE_VM.
 *   Then the Service VM's own devices: its RTC's and HPET's interrupts.
 *
 * This file has the plan and the order of the checks; hsmtest.h says which
 * file has which part.
 *
 * TAP on stdout (the Service VM's console). Arguments, key=value:
 *   post=PATH      the post guest's ELF (default /post.elf)
 *   cpu=N          the Linux CPU the post VM's template shares with us (1)
 *   hv=HPA         the hypervisor's memory (refused as guest RAM)
 *   prelaunched=HPA a pre-launched VM's RAM (refused as guest RAM)
 */
#include "hsmtest.h"

static unsigned long long hv_hpa = 0x1000000, pre_hpa = 0x4000000;
static unsigned share_cpu = 1;

static void parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char *v = strchr(argv[i], '=');

		if (!v)
			continue;
		*v++ = '\0';
		if (!strcmp(argv[i], "post"))
			post_path = v;
		else if (!strcmp(argv[i], "cpu"))
			share_cpu = (unsigned)strtoul(v, NULL, 0);
		else if (!strcmp(argv[i], "hv"))
			hv_hpa = strtoull(v, NULL, 0);
		else if (!strcmp(argv[i], "prelaunched"))
			pre_hpa = strtoull(v, NULL, 0);
	}
}

int main(int argc, char **argv)
{
	struct acrn_vm_creation creation, other;
	struct acrn_pcidev pcidev;
	struct acrn_ptdev_irq ptirq;
	struct acrn_ioeventfd ioev;
	struct acrn_irqfd irqfd;
	struct serve_stats st;
	struct sigaction sa;
	unsigned long long free_before, free_after;
	uint64_t pm_cmd;
	uint64_t entry = 0;
	uint32_t bar1, id;
	char path[128], buf[64];
	void *iobuf;
	int r, r2, fd2, hfd, reset;
	bool started;
	pthread_t thr;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: the watchdog interrupts ATTACH */
	sigaction(SIGALRM, &sa, NULL);

	printf("1..%u\n", TESTS);
	r = post_read();
	tap(r == 0, "post guest %s read (%zu bytes): %s", post_path, post_size, err_str(r));

	/* acrn-dm reads the MADT at start (LAPIC ids of --cpu_affinity) and exits without it */
	r = read_file("/sys/firmware/acpi/tables/APIC", buf, sizeof(buf));
	tap(r == 0 && !memcmp(buf, "APIC", 4), "/sys/firmware/acpi/tables/APIC (the MADT acrn-dm "
	    "reads) is there: %s", r ? "no" : "yes");

	/* the kernel set its clock from the CMOS RTC (Bochs starts it at 2000-01-01): 1970 if unreadable */
	tap(time(NULL) >= 946684800, "the wall clock came from the RTC (%ld s since 1970)",
	    (long)time(NULL));

	hsm = open(HSM_DEV, O_RDWR | O_CLOEXEC);
	if (!tap(hsm >= 0, "%s opens: %s", HSM_DEV, err_str(hsm >= 0 ? 0 : errno))) {
		printf("# no HSM: nothing more to try\n");
		return 1;
	}
	iobuf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(iobuf, 0, 4096);
	ioreq_buf = iobuf;

	/* the template's CPU is still ours: the hypervisor refuses (the driver says EINVAL) */
	fd2 = open(HSM_DEV, O_RDWR | O_CLOEXEC);
	r = create_vm(fd2, &other, iobuf);
	tap_err(r, EINVAL, "CREATE_VM while the template's CPU is still the Service VM's");
	close(fd2);

	/* ACRN's launch flow: the Linux CPU number into remove_cpu; the driver passes its LAPIC id */
	r = write_file(HSM_SYSFS "/remove_cpu", "0");
	tap_err(r, EINVAL, "remove_cpu 0 (the boot CPU)");
	snprintf(buf, sizeof(buf), "%u", share_cpu);
	r = write_file(HSM_SYSFS "/remove_cpu", buf);
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u/online", share_cpu);
	r2 = read_file(path, buf, sizeof(buf));
	tap(r == 0 && r2 == 0 && buf[0] == '0', "remove_cpu %u: %s, cpu%u/online now %c", share_cpu,
	    err_str(r), share_cpu, r2 ? '?' : buf[0]);

	free_before = hv_free_bytes();
	tap(free_before != 0, "hypervisor free memory before CREATE_VM: %llu KiB",
	    free_before >> 10);

	r = create_vm(hsm, &creation, iobuf);
	vmid = creation.vmid;
	vcpu_num = creation.vcpu_num;
	tap(r == 0 && vcpu_num == 1, "CREATE_VM \"%s\" (name in the uuid bytes): %s, vmid %u, "
	    "%u vCPU(s)", VM_NAME, err_str(r), vmid, vcpu_num);
	fd2 = open(HSM_DEV, O_RDWR | O_CLOEXEC);
	r = create_vm(fd2, &other, iobuf);
	tap_err(r, EINVAL, "CREATE_VM with a name in use (the hypervisor's EEXIST)");
	close(fd2);
	/* acrn-dm asks for the CPUs' P-states at launch and goes on without them */
	pm_cmd = ACRN_PMCMD_GET_PX_CNT;
	r = hioctl(ACRN_IOCTL_PM_GET_CPU_STATE, &pm_cmd);
	tap_err(r, ENOSYS, "PM_GET_CPU_STATE (not provided; acrn-dm tolerates a failure)");

	r = set_regs(BAD_VCPU, 0x100000);
	tap_err(r, EINVAL, "SET_VCPU_REGS for vCPU 5 of a 1-vCPU VM");

	/* not the Service VM's RAM: refused whatever the user address */
	r = memseg_from_devmem(hv_hpa, 0);
	tap_err(r, EFAULT, "SET_MEMSEG of the hypervisor's memory (a /dev/mem page)");
	r = memseg_from_devmem(pre_hpa, 0);
	tap_err(r, EFAULT, "SET_MEMSEG of the pre-launched VM's RAM (a /dev/mem page)");

	/* guest RAM: anonymous 4 KiB pages (one region each), then hugetlbfs 2 MiB pages */
	anon_ram = mmap(NULL, ANON_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	madvise(anon_ram, ANON_SIZE, MADV_NOHUGEPAGE);
	memset(anon_ram, 0, ANON_SIZE);
	r = set_memseg(0, anon_ram, ANON_SIZE);
	tap_err(r, 0, "SET_MEMSEG user [0, 2 MiB) from anonymous memory (512 4-KiB regions)");
	anon_size = r ? 0 : ANON_SIZE;

	hfd = open(HUGETLB_FILE, O_CREAT | O_RDWR, 0600);
	huge_ram = MAP_FAILED;
	if (hfd >= 0 && ftruncate(hfd, (off_t)(RAM_SIZE - anon_size)) == 0)
		huge_ram = mmap(NULL, RAM_SIZE - anon_size, PROT_READ | PROT_WRITE, MAP_SHARED, hfd,
				0);
	r = huge_ram == MAP_FAILED ? errno : set_memseg(anon_size, huge_ram, RAM_SIZE - anon_size);
	tap_err(r, 0, anon_size ? "SET_MEMSEG user [2 MiB, 16 MiB) from hugetlbfs (7 2-MiB regions)"
		: "SET_MEMSEG user [0, 16 MiB) from hugetlbfs (8 2-MiB regions; the 4 KiB map failed)");
	r = huge_ram == MAP_FAILED ? EFAULT : set_memseg(anon_size, huge_ram, HUGE_SIZE);
	tap_err(r, EEXIST, "SET_MEMSEG over a mapped range");

	r = post_img ? post_load(&entry) : ENOENT;
	tap(r == 0, "post guest loaded into its RAM through our mappings, entry %#llx: %s",
	    (unsigned long long)entry, err_str(r));
	r = set_regs(0, entry);
	tap_err(r, 0, "SET_VCPU_REGS vCPU 0: 32-bit protected mode at the entry");

	r = hioctl(ACRN_IOCTL_CREATE_IOREQ_CLIENT, NULL);
	tap_err(r, 0, "CREATE_IOREQ_CLIENT");
	r = hioctl(ACRN_IOCTL_CREATE_IOREQ_CLIENT, NULL);
	tap_err(r, EEXIST, "CREATE_IOREQ_CLIENT again");

	/* the e1000: ours until assigned; its I/O BAR is identity-mapped */
	id = e1000_config(0);
	tap(id == POST_E1000_ID, "before assignment the e1000 is ours: 00:03.0 reads %#x", id);
	bar1 = e1000_config(0x14);
	memset(&pcidev, 0, sizeof(pcidev));
	pcidev.virt_bdf = E1000_BDF;
	pcidev.phys_bdf = UNKNOWN_BDF;
	pcidev.intr_line = E1000_INTX_LINE;
	pcidev.intr_pin = E1000_INTX_PIN;
	pcidev.bar[0] = POST_E1000_BAR0;
	pcidev.bar[1] = bar1;
	r = hioctl(ACRN_IOCTL_ASSIGN_PCIDEV, &pcidev);
	tap_err(r, ENODEV, "ASSIGN_PCIDEV of 00:1f.0 (no such device)");
	pcidev.phys_bdf = E1000_BDF;
	r = hioctl(ACRN_IOCTL_ASSIGN_PCIDEV, &pcidev);
	tap_err(r, 0, "ASSIGN_PCIDEV e1000 00:03.0 -> 00:03.0");
	id = e1000_config(0);
	tap(id == 0xFFFFFFFFu, "assigned away, 00:03.0 reads %#x for us", id);
	memset(&ptirq, 0, sizeof(ptirq));
	ptirq.type = ACRN_PTDEV_IRQ_INTX;
	ptirq.virt_bdf = ptirq.phys_bdf = E1000_BDF;
	ptirq.intx.virt_pin = POST_E1000_GSI;
	ptirq.intx.phys_pin = E1000_INTX_LINE;
	r = hioctl(ACRN_IOCTL_SET_PTDEV_INTR, &ptirq);
	tap_err(r, 0, "SET_PTDEV_INTR e1000 GSI 11 -> its GSI 11");

	/* a port the kernel completes (ioeventfd) and an MSI raised from an eventfd (irqfd) */
	ioevent_fd = eventfd(0, EFD_CLOEXEC);
	irq_fd = eventfd(0, EFD_CLOEXEC);
	ioev = (struct acrn_ioeventfd){ .fd = (uint32_t)ioevent_fd, .flags = ACRN_IOEVENTFD_FLAG_PIO,
					.addr = POSTDEV_EVFD, .len = 4 };
	r = hioctl(ACRN_IOCTL_IOEVENTFD, &ioev);
	irqfd = (struct acrn_irqfd){ .fd = irq_fd,
				     .msi = { .msi_addr = 0xFEE00000ULL,
					      .msi_data = POSTDEV_EVFD_VECTOR } };
	r2 = hioctl(ACRN_IOCTL_IRQFD, &irqfd);
	tap(r == 0 && r2 == 0, "IOEVENTFD on port %#x: %s; IRQFD with vector %#x: %s", POSTDEV_EVFD,
	    err_str(r), POSTDEV_EVFD_VECTOR, err_str(r2));
	if (r == 0 && r2 == 0)
		pthread_create(&thr, NULL, evfd_thread, NULL);

	r = hioctl(ACRN_IOCTL_START_VM, NULL);
	started = tap_err(r, 0, "START_VM");
	r = hioctl(ACRN_IOCTL_START_VM, NULL);
	tap_err(r, EBUSY, "START_VM of a running VM");
	r = set_regs(0, entry);
	tap_err(r, EBUSY, "SET_VCPU_REGS of a running VM");

	memset(&st, 0, sizeof(st));
	if (started)
		serve_phase(1, &st);
	report_phase(1, &st);
	tap(st.msi_ret == 0 && st.irqline_ret == 0,
	    "INJECT_MSI and SET_IRQLINE when the guest asked: %s, %s",
	    st.msi_ret < 0 ? "not asked" : err_str(st.msi_ret),
	    st.irqline_ret < 0 ? "not asked" : err_str(st.irqline_ret));
	tap(ioevents == 1, "the guest's write of port %#x reached our ioeventfd %u time(s), "
	    "without a request to us", POSTDEV_EVFD, ioevents);

	r = hioctl(ACRN_IOCTL_PAUSE_VM, NULL);
	tap_err(r, 0, "PAUSE_VM after phase 1");
	r = hioctl(ACRN_IOCTL_RESET_PTDEV_INTR, &ptirq);
	tap_err(r, 0, "RESET_PTDEV_INTR of the e1000");
	pcidev.phys_bdf = UNKNOWN_BDF;
	r = hioctl(ACRN_IOCTL_DEASSIGN_PCIDEV, &pcidev);
	tap_err(r, ENODEV, "DEASSIGN_PCIDEV of 00:1f.0 (no such device)");
	pcidev.phys_bdf = E1000_BDF;
	r = hioctl(ACRN_IOCTL_DEASSIGN_PCIDEV, &pcidev);
	tap_err(r, 0, "DEASSIGN_PCIDEV e1000 from the paused VM");
	id = e1000_config(0);
	tap(id == POST_E1000_ID, "the e1000 is ours again: 00:03.0 reads %#x", id);
	/*
	 * The guest ended phase 1 with the e1000's INTx up. The hypervisor
	 * resets a function that changes hands where it has a reset (Bochs's
	 * e1000 has none: it warns), so the cause is gone, or still there for us.
	 */
	reset = post_pci_has_reset(e1000_cfg);
	id = e1000_icr();
	tap(id == (reset ? 0 : POST_E1000_ICR_LEFT),
	    "the e1000 came back %s: ICR %#x (want %#x); read, its INTx is down",
	    reset ? "reset (FLR or PM)" : "as the guest left it (no FLR or PM reset)", id,
	    reset ? 0 : POST_E1000_ICR_LEFT);

	/* acrn-dm's reboot: CLEAR_VM_IOREQ, then RESET_VM */
	r = hioctl(ACRN_IOCTL_CLEAR_VM_IOREQ, NULL);
	r2 = hioctl(ACRN_IOCTL_RESET_VM, NULL);
	tap(r == 0 && r2 == 0, "CLEAR_VM_IOREQ: %s, RESET_VM: %s", err_str(r), err_str(r2));
	r = post_load(&entry);
	if (!r)
		r = set_regs(0, entry);
	tap_err(r, 0, "post guest reloaded and SET_VCPU_REGS after the reset");
	r = hioctl(ACRN_IOCTL_START_VM, NULL);
	started = tap_err(r, 0, "START_VM after the reset");
	memset(&st, 0, sizeof(st));
	if (started)
		serve_phase(2, &st);
	report_phase(2, &st);

	r = hioctl(ACRN_IOCTL_PAUSE_VM, NULL);
	tap_err(r, 0, "PAUSE_VM after phase 2");
	r = hioctl(ACRN_IOCTL_DESTROY_IOREQ_CLIENT, NULL);
	tap_err(r, 0, "DESTROY_IOREQ_CLIENT");
	r = hioctl(ACRN_IOCTL_ATTACH_IOREQ_CLIENT, NULL);
	tap_err(r, ENODEV, "ATTACH_IOREQ_CLIENT without a client");
	r = hioctl(ACRN_IOCTL_DESTROY_VM, NULL);
	tap_err(r, 0, "DESTROY_VM");
	r = hioctl(ACRN_IOCTL_START_VM, NULL);
	tap_err(r, EINVAL, "START_VM after DESTROY_VM (the driver has no VM)");

	/* the driver unpinned our pages at DESTROY_VM: give them back */
	munmap(anon_ram, ANON_SIZE);
	if (huge_ram != MAP_FAILED)
		munmap(huge_ram, RAM_SIZE - anon_size);
	if (hfd >= 0)
		close(hfd);
	unlink(HUGETLB_FILE);
	free_after = hv_free_bytes();
	tap(free_after == free_before, "hypervisor free memory after DESTROY_VM: %llu KiB "
	    "(before CREATE_VM: %llu KiB)", free_after >> 10, free_before >> 10);

	/* a second VM on the same template: everything came back */
	fd2 = open(HSM_DEV, O_RDWR | O_CLOEXEC);
	r = create_vm(fd2, &other, iobuf);
	r2 = r ? r : (ioctl(fd2, ACRN_IOCTL_DESTROY_VM, 0) < 0 ? errno : 0);
	tap(r == 0 && r2 == 0, "CREATE_VM and DESTROY_VM again with the same name: %s, %s",
	    err_str(r), err_str(r2));
	close(fd2);
	free_after = hv_free_bytes();
	tap(free_after == free_before, "hypervisor free memory after that: %llu KiB", free_after >> 10);

	/* its own devices' interrupts: the RTC's and the HPET's (last: vm0's checks keep their timing) */
	machine_checks();

	if (test_no != TESTS)
		printf("# planned %u tests, ran %u\n", TESTS, test_no);
	close(hsm);
	return 0;
}
