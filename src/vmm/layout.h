/* Guest physical memory map of armz-vmm (a small subset of QEMU's "virt"
 * layout, so guests and tools find familiar addresses). */
#pragma once

#define ARMZ_GIC_DIST_BASE      0x08000000ULL
#define ARMZ_GIC_DIST_SIZE      0x00010000ULL   /* 64 KiB (v3); v2 uses 4 KiB */
#define ARMZ_GICV2_CPU_BASE     0x08010000ULL
#define ARMZ_GICV2_CPU_SIZE     0x00002000ULL
#define ARMZ_GICV3_REDIST_BASE  0x080A0000ULL
#define ARMZ_GICV3_REDIST_SIZE  0x00020000ULL   /* per vCPU: RD + SGI frames */
#define ARMZ_GICV3_REDIST_MAX   0x00F60000ULL   /* room for 123 vCPUs */

/* CFI flash banks (firmware code, then its variable store) and fw_cfg,
 * where AAVMF looks for them on "virt" */
#define ARMZ_FLASH_BASE         0x00000000ULL
#define ARMZ_FLASH_BANKS        2
#define ARMZ_FW_CFG_BASE        0x09020000ULL

#define ARMZ_UART_BASE          0x09000000ULL
#define ARMZ_RTC_BASE           0x09010000ULL
#define ARMZ_GPIO_BASE          0x09030000ULL
#define ARMZ_DEV_SIZE           0x00001000ULL

/* virtio-mmio slot i: registers at BASE + i * SLOT_SIZE, SPI 16 + i;
 * slots in order: disks, nets, console, rng */
#define ARMZ_VIRTIO_BASE        0x0a000000ULL
#define ARMZ_VIRTIO_SLOT_SIZE   0x00000200ULL
#define ARMZ_VIRTIO_SPI         16
#define ARMZ_VIRTIO_MAX_SLOTS   32

#define ARMZ_RAM_BASE           0x40000000ULL

/* SPI numbers (INTID = 32 + SPI) */
#define ARMZ_UART_SPI           1
#define ARMZ_RTC_SPI            2
#define ARMZ_GPIO_SPI           7
#define ARMZ_NR_IRQS            128             /* 32 private + 96 SPIs */

/* PPIs of the architected timer (INTID = 16 + PPI) */
#define ARMZ_PPI_TIMER_SEC      13
#define ARMZ_PPI_TIMER_PHYS     14
#define ARMZ_PPI_TIMER_VIRT     11
#define ARMZ_PPI_TIMER_HYP      10

#define ARMZ_GPIO_POWER_PIN     3
#define ARMZ_KEY_POWER          116             /* linux,code KEY_POWER */

#define ARMZ_MAX_VCPUS_GICV2    8
#define ARMZ_MAX_VCPUS          123

/* PCIe host bridge (--pci), at QEMU virt's addresses: ECAM for buses
 * 0-15, the 32-bit MMIO window below it, INTA-D on SPIs 3-6 (swizzled by
 * slot); the GICv2m MSI frame and the GICv3 ITS */
#define ARMZ_PCIE_ECAM_BASE     0x3f000000ULL
#define ARMZ_PCIE_ECAM_SIZE     0x01000000ULL
#define ARMZ_PCIE_MMIO_BASE     0x10000000ULL
#define ARMZ_PCIE_MMIO_SIZE     0x2eff0000ULL
#define ARMZ_PCIE_INTX_SPI      3
#define ARMZ_PCIE_MAX_SLOTS     32
#define ARMZ_GICV2M_BASE        0x08020000ULL
#define ARMZ_GICV2M_SIZE        0x00001000ULL
#define ARMZ_GICV2M_SPI         64              /* SPIs 64..95 */
#define ARMZ_GICV2M_NUM_SPIS    32
#define ARMZ_GIC_ITS_BASE       0x08080000ULL
#define ARMZ_GIC_ITS_SIZE       0x00020000ULL
