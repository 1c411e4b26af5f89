/*
 * vACPI tables checked by iasl (acpica-tools): every table of several VM
 * shapes is disassembled with `iasl -d`, which must report no error or
 * warning; each disassembly is compiled back, and the data tables must come
 * back byte for byte; the DSDT's disassembly must name the devices and
 * resources the VM has. Temporary files go to build/unit/tmp (or /tmp) and
 * are removed unless a check failed.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "vacpi.h"
#include "acpi.h"
#include "errno.h"
#include "vacpi_shapes.h"

static char tmpdir[256];
static bool keep_tmp;

static int setup_tmp(void **state)
{
	(void)state;
	buf = malloc(BUFSZ + 1);
	assert_non_null(buf);
	mkdir("build", 0755);
	mkdir("build/unit", 0755);
	mkdir("build/unit/tmp", 0755);
	snprintf(tmpdir, sizeof(tmpdir), "build/unit/tmp/vacpi.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/vacpi.XXXXXX");
		assert_non_null(mkdtemp(tmpdir));
	}
	return 0;
}

static int teardown_tmp(void **state)
{
	char cmd[512];

	(void)state;
	free(buf);
	if (keep_tmp) {
		fprintf(stderr, "vacpi: iasl files kept in %s\n", tmpdir);
		return 0;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) ? -1 : 0;
}

/* A file's contents, NUL-terminated; its size in *@size when asked. */
static char *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = calloc(1, (size_t)n + 1);
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	if (size)
		*size = (size_t)n;
	return s;
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* Run iasl with @args in the temp dir, output to @log; returns its exit status. */
static int iasl(const char *args, const char *log)
{
	char cmd[1024];
	int st;

	snprintf(cmd, sizeof(cmd), "cd '%s' && iasl %s > '%s' 2>&1", tmpdir, args, log);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *tmp_slurp(const char *name, size_t *size)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return slurp(path, size);
}

/* iasl says everything is fine: no error, warning or "Incorrect checksum". */
static void assert_clean(const char *what, const char *text)
{
	static const char *bad[] = { "rror", "arning", "ncorrect", "nvalid", "nknown",
				     "****", "External (", "should be", NULL };

	assert_non_null(text);
	for (int i = 0; bad[i]; i++) {
		const char *hit = strstr(text, bad[i]);

		if (hit) {
			keep_tmp = true;
			fail_msg("%s: iasl output has \"%s\": ...%.120s", what, bad[i],
				 hit > text + 60 ? hit - 60 : text);
		}
	}
}

static void assert_has(const char *what, const char *text, const char *needle)
{
	if (!strstr(text, needle)) {
		keep_tmp = true;
		fail_msg("%s: \"%s\" not in the disassembly", what, needle);
	}
}

/*
 * Disassemble one table, then compile the disassembly back. Data tables
 * must come back byte for byte (iasl rewrites only the checksum it then
 * recomputes and its own compiler id/revision). Returns the .dsl text.
 */
static char *disassemble(const char *name, const void *tbl, size_t len, bool aml)
{
	char f[512], log[128], out[128], *dsl, *txt, *bin;

	snprintf(f, sizeof(f), "%s/%s.dat", tmpdir, name);
	write_file(f, tbl, len);
	snprintf(log, sizeof(log), "%s.dis.log", name);
	snprintf(f, sizeof(f), "-d %s.dat", name);
	if (iasl(f, log)) {
		keep_tmp = true;
		fail_msg("iasl -d %s.dat failed; see %s/%s", name, tmpdir, log);
	}
	txt = tmp_slurp(log, NULL);
	assert_clean(name, txt);
	free(txt);
	snprintf(f, sizeof(f), "%s.dsl", name);
	dsl = tmp_slurp(f, NULL);
	assert_non_null(dsl);
	assert_clean(name, dsl);

	snprintf(log, sizeof(log), "%s.asm.log", name);
	snprintf(f, sizeof(f), "%s.dsl", name);
	if (iasl(f, log)) {
		keep_tmp = true;
		fail_msg("iasl could not compile its own disassembly of %s", name);
	}
	txt = tmp_slurp(log, NULL);
	assert_has(name, txt, "0 Errors, 0 Warnings, 0 Remarks");
	free(txt);
	if (!aml) {
		bool hdr = strcmp(name, "facs") != 0;	/* the FACS has no SDT header */
		size_t n;

		snprintf(out, sizeof(out), "%s.aml", name);
		bin = tmp_slurp(out, &n);
		assert_non_null(bin);
		assert_int_equal(n, len);
		for (size_t i = 0; i < len; i++) {
			if (hdr && (i == 9 || (i >= 28 && i < 36)))
				continue;	/* checksum, compiler id/revision */
			if ((u8)bin[i] != ((const u8 *)tbl)[i]) {
				keep_tmp = true;
				fail_msg("%s: byte %zu is %#x, iasl compiles %#x", name, i,
					 ((const u8 *)tbl)[i], (u8)bin[i]);
			}
		}
		free(bin);
	}
	return dsl;
}

/*
 * iasl 20200925 cannot disassemble an RSDP ("not a valid ACPI table": its
 * signature has a space), so compile one from our field values with the
 * data table compiler and compare all 36 bytes, checksums included.
 */
static void check_rsdp_with_iasl(const struct vacpi_layout *l)
{
	char src[1024], path[300], *bin, *txt;
	size_t n2;
	int n;

	n = snprintf(src, sizeof(src),
		     "[0008]                          Signature : \"RSD PTR \"\n"
		     "[0001]                           Checksum : 00\n"
		     "[0006]                             Oem ID : \"BHEAD \"\n"
		     "[0001]                           Revision : 02\n"
		     "[0004]                       RSDT Address : %08llX\n"
		     "[0004]                             Length : 00000024\n"
		     "[0008]                       XSDT Address : %016llX\n"
		     "[0001]                  Extended Checksum : 00\n"
		     "[0003]                           Reserved : 000000\n",
		     (unsigned long long)l->rsdt, (unsigned long long)l->xsdt);
	snprintf(path, sizeof(path), "%s/rsdp.asl", tmpdir);
	write_file(path, src, (size_t)n);
	assert_int_equal(iasl("rsdp.asl", "rsdp.asm.log"), 0);
	txt = tmp_slurp("rsdp.asm.log", NULL);
	assert_has("rsdp", txt, "0 Errors, 0 Warnings, 0 Remarks");
	free(txt);
	bin = tmp_slurp("rsdp.aml", &n2);
	assert_non_null(bin);
	assert_int_equal(n2, 36);
	assert_memory_equal(bin, at(l->rsdp), 36);
	free(bin);
}

static char *dis_sdt(const char *name, u64 gpa, bool aml)
{
	return disassemble(name, at(gpa), rd32(at(gpa) + 4), aml);
}

static void iasl_shape(enum shape s)
{
	struct vacpi_vm vm;
	struct vacpi_layout l;
	char *d;

	make_vm(&vm, s);
	assert_true(build(&vm, &l) > 0);
	check_rsdp_with_iasl(&l);

	d = dis_sdt("xsdt", l.xsdt, false);
	assert_has("xsdt", d, "[024h 0036   8]       ACPI Table Address   0 : 00000000000E");
	free(d);
	free(dis_sdt("rsdt", l.rsdt, false));

	d = dis_sdt("fadt", l.fadt, false);
	assert_has("fadt", d, "Reset Register Supported (V2) : 1");
	assert_has("fadt", d, "Hardware Reduced (V5) : 0");
	assert_has("fadt", d, "Address : 0000000000000CF9");
	assert_has("fadt", d, "Value to cause reset : 06");
	assert_has("fadt", d, "PM1A Control Block Address : 00000404");
	free(d);

	free(disassemble("facs", at(l.facs), 64, false));

	d = dis_sdt("madt", l.madt, false);
	assert_has("madt", d, "PC-AT Compatibility : 0");
	assert_has("madt", d, "[Local APIC NMI]");
	assert_has("madt", d, "[Interrupt Source Override]");
	assert_has("madt", d, "Interrupt : 00000009");
	assert_has("madt", d, "Interrupt Input LINT : 01");
	assert_has("madt", d, "Address : FEC00000");
	free(d);

	if (vm.hpet.present) {
		d = dis_sdt("hpet", l.hpet, false);
		assert_has("hpet", d, "Hardware Block ID : 8086A201");
		assert_has("hpet", d, "Address : 00000000FED00000");
		assert_has("hpet", d, "Minimum Clock Ticks : 0080");
		assert_has("hpet", d, "4K Page Protect : 1");
		free(d);
		d = dis_sdt("madt", l.madt, false);
		assert_has("madt", d, "Source : 00");		/* IRQ 0 ... */
		assert_has("madt", d, "Interrupt : 00000002");	/* ... is GSI 2 */
		free(d);
	}
	if (vm.pci.present) {
		d = dis_sdt("mcfg", l.mcfg, false);
		assert_has("mcfg", d, "Base Address : 00000000E0000000");
		free(d);
	}

	d = dis_sdt("dsdt", l.dsdt, true);
	assert_has("dsdt", d, "DefinitionBlock (\"\", \"DSDT\", 2, \"BHEAD \", \"BULKHEAD\"");
	assert_has("dsdt", d, "Name (_S5, Package (0x04)");
	if (vm.pci.present) {
		assert_has("dsdt", d, "Device (PCI0)");
		assert_has("dsdt", d, "Name (_HID, EisaId (\"PNP0A08\")");
		assert_has("dsdt", d, "Name (_CID, EisaId (\"PNP0A03\")");
		assert_has("dsdt", d, "Name (_SEG, Zero)");
		assert_has("dsdt", d, "Name (_BBN, Zero)");
		assert_has("dsdt", d, "WordBusNumber (ResourceProducer");
		assert_has("dsdt", d, "0xC0000000,         // Range Minimum");
		assert_has("dsdt", d, "0xDFFFFFFF,         // Range Maximum");
		assert_has("dsdt", d, "Name (_HID, EisaId (\"PNP0C02\")");
	} else {
		assert_null(strstr(d, "PCI0"));
	}
	if (vm.com1.present) {
		assert_has("dsdt", d, "Device (COM1)");
		assert_has("dsdt", d, "Name (_HID, EisaId (\"PNP0501\")");
		assert_has("dsdt", d, "0x03F8,             // Range Minimum");
		assert_has("dsdt", d, "IRQNoFlags ()\n                    {4}");
	} else {
		assert_null(strstr(d, "COM1"));
	}
	if (vm.rtc.present) {
		assert_has("dsdt", d, "Device (RTC0)");
		assert_has("dsdt", d, "Name (_HID, EisaId (\"PNP0B00\")");
		assert_has("dsdt", d, "0x0070,             // Range Minimum");
		assert_has("dsdt", d, "IRQNoFlags ()\n                    {8}");
	} else {
		assert_null(strstr(d, "RTC0"));
	}
	if (vm.pci.nr_prt) {
		assert_has("dsdt", d, "Name (_PRT, Package (");
		assert_has("dsdt", d, vm.pci.nr_prt == 2 ? "0x0003FFFF," : "0x001FFFFF,");
	} else {
		assert_null(strstr(d, "_PRT"));
	}
	switch (s) {
	case FOUR_CPU_TWO_DEVS:
		assert_has("dsdt", d, "Device (DV01)");
		assert_has("dsdt", d, "Name (_HID, \"INTC1020\")");
		assert_has("dsdt", d, "Name (_UID, 0x07)");
		assert_has("dsdt", d, "IO (Decode16,\n                    0x02F8,             // Range Minimum");
		assert_has("dsdt", d, "0xFE010000,         // Address Base");
		assert_has("dsdt", d, "0x0000000500000000, // Range Minimum");
		assert_has("dsdt", d, "Interrupt (ResourceConsumer, Level, ActiveLow, Shared, ,, )\n"
				      "                {\n                    0x00000014,");
		assert_has("dsdt", d, "Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, )\n"
				      "                {\n                    0x00000005,");
		assert_has("dsdt", d, "0x0000004000000000, // Range Minimum");
		assert_has("dsdt", d, "0x0003,             // Range Maximum");	/* buses 0..3 */
		assert_has("dsdt", d, "0x00400000,         // Address Length");	/* ECAM 4 buses */
		__attribute__((fallthrough));	/* it has the HPET too */
	case FOUR_CPU_HPET:
		assert_has("dsdt", d, "Device (HPET)");
		assert_has("dsdt", d, "Memory32Fixed (ReadWrite,\n                    0xFED00000,");
		assert_has("dsdt", d, "Name (_HID, EisaId (\"PNP0103\")");
		assert_has("dsdt", d, "0xFED00000,         // Address Base");
		assert_has("dsdt", d, "0x00000400,         // Address Length");
		break;
	case MAX_SHAPE:
		assert_has("dsdt", d, "Device (DV0F)");
		assert_has("dsdt", d, "Name (_UID, \"UART-15\")");
		assert_has("dsdt", d, "Name (_UID, 0x7FFFFFFFFFFFFFFE)");	/* device 1 */
		assert_has("dsdt", d, "Name (_UID, \"18446744073709551612\")");
		assert_has("dsdt", d, "0xFF00,             // Range Minimum");
		assert_has("dsdt", d, "Name (_HID, \"ABCD00F1\")");
		assert_has("dsdt", d, "Name (_HID, EisaId (\"PNP0C0F\")");
		assert_has("dsdt", d, "0x00FF,             // Range Maximum");	/* buses */
		assert_has("dsdt", d, "0x10000000,         // Address Length");	/* ECAM */
		assert_null(strstr(d, "PNP0103"));
		break;
	default:
		assert_null(strstr(d, "PNP0103"));
	}
	free(d);
}

static void test_iasl_one_cpu_bare(void **state) { (void)state; iasl_shape(ONE_CPU_BARE); }
static void test_iasl_four_cpu_hpet(void **state) { (void)state; iasl_shape(FOUR_CPU_HPET); }
static void test_iasl_four_cpu_two_devs(void **state) { (void)state; iasl_shape(FOUR_CPU_TWO_DEVS); }
static void test_iasl_no_pci_no_uart(void **state) { (void)state; iasl_shape(NO_PCI_NO_UART); }
static void test_iasl_max_shape(void **state) { (void)state; iasl_shape(MAX_SHAPE); }

/*
 * ACPICA's own interpreter (acpiexec, the code Linux runs) loads the tables
 * without a warning and \_S5 gives SLP_TYP 5. With @sleep it also walks the
 * S5 path: the legacy PM1 sleep (not the hardware-reduced one) runs to its
 * end. That costs 10 s (ACPICA stalls before retrying S4/S5), so only one
 * shape does it.
 */
static void acpiexec_shape(enum shape s, bool sleep)
{
	static const char *bad[] = { "ACPI Error", "ACPI Warning", "ACPI Exception",
				     "Firmware Warning", "Firmware Error", "ACPI BIOS", NULL };
	static const char *names[] = { "fadt", "dsdt", "madt", "mcfg" };
	struct vacpi_vm vm;
	struct vacpi_layout l;
	char path[512], *txt;
	u64 gpas[4];
	int st;

	make_vm(&vm, s);
	assert_true(build(&vm, &l) > 0);
	gpas[0] = l.fadt;
	gpas[1] = l.dsdt;
	gpas[2] = l.madt;
	gpas[3] = l.mcfg;
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
		if (!gpas[i])
			continue;	/* no MCFG */
		snprintf(path, sizeof(path), "%s/ae_%s.dat", tmpdir, names[i]);
		write_file(path, at(gpas[i]), rd32(at(gpas[i]) + 4));
	}
	snprintf(path, sizeof(path), "%s/ae_facs.dat", tmpdir);
	write_file(path, at(l.facs), 64);
	snprintf(path, sizeof(path), "cd '%s' && acpiexec -b '%s' ae_fadt.dat ae_dsdt.dat "
		 "ae_facs.dat ae_madt.dat %s > acpiexec.log 2>&1 < /dev/null", tmpdir,
		 sleep ? "sleep 5" : "evaluate \\_S5", l.mcfg ? "ae_mcfg.dat" : "");
	st = system(path);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	txt = tmp_slurp("acpiexec.log", NULL);
	assert_non_null(txt);
	for (int i = 0; bad[i]; i++)
		if (strstr(txt, bad[i])) {
			keep_tmp = true;
			fail_msg("acpiexec: \"%s\" in %s/acpiexec.log", bad[i], tmpdir);
		}
	assert_has("acpiexec", txt, "ACPI: FACP");
	assert_has("acpiexec", txt, "ACPI: 1 ACPI AML tables successfully acquired and loaded");
	if (sleep) {
		assert_has("acpiexec", txt, "Sleep-A: 05, Sleep-B: 05");
		assert_has("acpiexec", txt, "HwLegacySleep");
		assert_has("acpiexec", txt, "Entering sleep state [S5]");
		assert_has("acpiexec", txt, "**** Wake: Return from sleep (S5) ****");
	} else {
		assert_has("acpiexec", txt, "[Package] Contains 4 Elements:\n"
					    "    [Integer] = 0000000000000005\n"
					    "    [Integer] = 0000000000000005");
	}
	free(txt);
}

static void test_acpiexec_sleep(void **state) { (void)state; acpiexec_shape(FOUR_CPU_TWO_DEVS, true); }
static void test_acpiexec_no_pci_no_uart(void **state) { (void)state; acpiexec_shape(NO_PCI_NO_UART, false); }
static void test_acpiexec_max_shape(void **state) { (void)state; acpiexec_shape(MAX_SHAPE, false); }

/* The checker itself: a table with a broken checksum must be caught. */
static void test_iasl_sees_bad_checksum(void **state)
{
	struct vacpi_vm vm;
	struct vacpi_layout l;
	char *txt;

	(void)state;
	make_vm(&vm, ONE_CPU_BARE);
	assert_true(build(&vm, &l) > 0);
	at(l.madt)[9] ^= 0x55;
	{
		char f[300];

		snprintf(f, sizeof(f), "%s/broken.dat", tmpdir);
		write_file(f, at(l.madt), rd32(at(l.madt) + 4));
	}
	assert_int_equal(iasl("-d broken.dat", "broken.log"), 0);	/* iasl only warns */
	txt = tmp_slurp("broken.log", NULL);
	assert_non_null(txt);
	assert_non_null(strstr(txt, "Incorrect checksum"));
	free(txt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iasl_one_cpu_bare),
		cmocka_unit_test(test_iasl_four_cpu_hpet),
		cmocka_unit_test(test_iasl_four_cpu_two_devs),
		cmocka_unit_test(test_iasl_no_pci_no_uart),
		cmocka_unit_test(test_iasl_max_shape),
		cmocka_unit_test(test_iasl_sees_bad_checksum),
		cmocka_unit_test(test_acpiexec_sleep),
		cmocka_unit_test(test_acpiexec_no_pci_no_uart),
		cmocka_unit_test(test_acpiexec_max_shape),
	};

	if (system("iasl -v > /dev/null 2>&1") || system("acpiexec -v > /dev/null 2>&1")) {
		fprintf(stderr, "test_vacpi_iasl: iasl/acpiexec not found; install acpica-tools "
			"(scripts/setup)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
