UNIT_TESTS += vacpi_aml
vacpi_aml_SRCS := dm/vacpi/aml.c dm/vacpi/aml_res.c dm/vacpi/vacpi.c dm/vacpi/rsdp.c dm/vacpi/fadt.c dm/vacpi/madt.c dm/vacpi/mcfg.c dm/vacpi/hpet.c dm/vacpi/dsdt.c arch/x86/acpi_madt.c
