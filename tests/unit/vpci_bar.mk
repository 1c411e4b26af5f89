UNIT_TESTS += vpci_bar
vpci_bar_SRCS := dm/vpci/vpci_cfg.c dm/vpci/vpci_vdev.c dm/vpci/vpci_hostbridge.c dm/vpci/vpci_bridge.c dm/vpci/vpci_pt.c dm/vpci/vpci_pt_guard.c dm/vpci/vpci_bar.c dm/vpci/vpci_msi.c dm/vpci/vpci_msix.c dm/vpci/vpci_reset.c arch/x86/pci_enum.c tests/unit/test_vpci_fake.c lib/ratelimit.c
