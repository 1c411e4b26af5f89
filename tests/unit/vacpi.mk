UNIT_TESTS += vacpi
vacpi_SRCS := dm/vacpi/vacpi.c dm/vacpi/rsdp.c dm/vacpi/fadt.c dm/vacpi/madt.c dm/vacpi/mcfg.c dm/vacpi/hpet.c dm/vacpi/dsdt.c dm/vacpi/aml.c dm/vacpi/aml_res.c arch/x86/acpi_madt.c
