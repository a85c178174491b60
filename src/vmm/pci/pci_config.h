/* Configuration space of one PCI function with a type 0 header: 256 bytes
 * (no extended space: the functions are not PCI Express endpoints), a
 * write mask per byte, 32-bit and 64-bit memory BARs sized the usual way
 * (the guest writes all ones and reads the size mask back, in both halves
 * of a 64-bit BAR) and a capability list.
 * The host bridge (pci_host.c) serialises every access to it. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define ARMZ_PCI_CFG_SIZE       256
#define ARMZ_PCI_NUM_BARS       6

/* header offsets and bits the VMM uses */
#define PCI_CFG_VENDOR_ID       0x00
#define PCI_CFG_DEVICE_ID       0x02
#define PCI_CFG_COMMAND         0x04
#define PCI_CFG_STATUS          0x06
#define PCI_CFG_REVISION        0x08
#define PCI_CFG_CLASS_PROG      0x09
#define PCI_CFG_HEADER_TYPE     0x0e
#define PCI_CFG_BAR0            0x10
#define PCI_CFG_SUBSYS_VENDOR   0x2c
#define PCI_CFG_SUBSYS_ID       0x2e
#define PCI_CFG_CAP_PTR         0x34
#define PCI_CFG_PRIMARY_BUS     0x18
#define PCI_CFG_SECONDARY_BUS   0x19
#define PCI_CFG_SUBORDINATE_BUS 0x1a
#define PCI_CFG_INT_LINE        0x3c
#define PCI_CFG_INT_PIN         0x3d
#define PCI_CFG_FIRST_CAP       0x40

/* memory BAR type bits */
#define PCI_BAR_MEM_64          0x04
#define PCI_BAR_PREFETCH        0x08

#define PCI_CMD_MEMORY          0x0002
#define PCI_CMD_MASTER          0x0004
#define PCI_CMD_INTX_DISABLE    0x0400
#define PCI_STATUS_CAP_LIST     0x0010

#define PCI_CAP_ID_VNDR         0x09
#define PCI_CAP_ID_MSIX         0x11

typedef struct {
    /* BAR B starts decoding at ADDR (ON) or stops decoding at ADDR */
    void (*bar_mapped)(void *opaque, unsigned bar, uint64_t addr, bool on);
    /* an access inside BAR B at OFFSET (SIZE 1, 2, 4 or 8 bytes) */
    uint64_t (*bar_read)(void *opaque, unsigned bar, uint64_t offset, unsigned size);
    void (*bar_write)(void *opaque, unsigned bar, uint64_t offset, unsigned size,
                      uint64_t value);
    /* the guest wrote SIZE bytes at OFFSET (after the write): the
     * function picks up the command register, MSI-X control etc. */
    void (*config_written)(void *opaque, unsigned offset, unsigned size);
    /* function level reset (after config space was reset) */
    void (*reset)(void *opaque);
} ArmzPciFuncOps;

typedef struct {
    uint8_t cfg[ARMZ_PCI_CFG_SIZE];
    uint8_t wmask[ARMZ_PCI_CFG_SIZE];
    uint8_t w1cmask[ARMZ_PCI_CFG_SIZE];     /* status bits a 1 clears (RW1C) */
    uint32_t bar_size[ARMZ_PCI_NUM_BARS];   /* 0: not implemented (or a 64-bit BAR's upper half) */
    bool bar_64[ARMZ_PCI_NUM_BARS];         /* with the next BAR as its upper half */
    uint8_t last_cap, next_cap;
    const ArmzPciFuncOps *ops;
    void *opaque;
    /* what bar_mapped last said */
    bool bar_on[ARMZ_PCI_NUM_BARS];
    uint64_t bar_at[ARMZ_PCI_NUM_BARS];
    /* where it sits (set by the host bridge): device/function on its bus,
     * and the root port above it (NULL: on the root bus) */
    uint8_t devfn;
    const void *upstream;
} ArmzPciFunc;

/* A function with the given identity; CLASS_CODE is class << 16 |
 * subclass << 8 | prog-if.  Interrupt pin INTA. */
void armz_pci_func_init(ArmzPciFunc *f, uint16_t vendor, uint16_t device, uint8_t revision,
                        uint32_t class_code, uint16_t subsys_vendor, uint16_t subsys_id,
                        const ArmzPciFuncOps *ops, void *opaque);
/* BAR B: 32-bit non-prefetchable memory of SIZE bytes (a power of 2,
 * at least 16). */
void armz_pci_func_set_bar(ArmzPciFunc *f, unsigned bar, uint32_t size);
/* BARs B and B + 1: one 64-bit memory BAR of SIZE bytes, prefetchable or
 * not (QEMU's modern virtio-pci BAR is 64-bit prefetchable). */
void armz_pci_func_set_bar64(ArmzPciFunc *f, unsigned bar, uint32_t size, bool prefetchable);
/* Appends a capability of LEN bytes with ID to the list; its offset (the
 * caller fills bytes 2..LEN-1). */
uint8_t armz_pci_func_add_cap(ArmzPciFunc *f, uint8_t id, uint8_t len);
/* Offset of the first capability with ID after FROM (0: from the start), or 0. */
uint8_t armz_pci_func_find_cap(const ArmzPciFunc *f, uint8_t id, uint8_t from);

/* Config space accesses, values in host order (little-endian bytes in
 * cfg[]); outside the 256 bytes reads are 0 and writes ignored. */
uint32_t armz_pci_cfg_read(ArmzPciFunc *f, unsigned offset, unsigned size);
void armz_pci_cfg_write(ArmzPciFunc *f, unsigned offset, unsigned size, uint32_t value);

/* The requester ID of F's transactions (bus << 8 | devfn): the bus is the
 * secondary bus number the guest gave the root port above it. */
uint16_t armz_pci_func_requester_id(const ArmzPciFunc *f);

/* Reset: command, BARs, interrupt line and every writable byte to 0. */
void armz_pci_func_reset(ArmzPciFunc *f);

uint16_t armz_pci_command(const ArmzPciFunc *f);
/* Guest physical address BAR B is programmed to (0: none). */
uint64_t armz_pci_bar_addr(const ArmzPciFunc *f, unsigned bar);
/* The BAR containing ADDR while memory decoding is on; its offset. */
bool armz_pci_func_decodes(const ArmzPciFunc *f, uint64_t addr, unsigned *bar,
                           uint64_t *offset);

static inline uint32_t
armz_pci_get(const uint8_t *p, unsigned len)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < len; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static inline void
armz_pci_put(uint8_t *p, unsigned len, uint32_t v)
{
    for (unsigned i = 0; i < len; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
