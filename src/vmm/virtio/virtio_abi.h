/* Virtio constants used by armz-vmm (virtio 1.x, virtio-mmio version 2,
 * split virtqueues), written from the OASIS virtio specification.  Every
 * structure they describe lives in guest memory or config space and is
 * little-endian: armz-vmm converts each field explicitly, so no C struct of
 * the guest layout is defined here, only offsets and sizes. */
#pragma once

/* ---- device status (4.2.2 Status) --------------------------------------- */
#define VIRTIO_STATUS_ACKNOWLEDGE        0x01
#define VIRTIO_STATUS_DRIVER             0x02
#define VIRTIO_STATUS_DRIVER_OK          0x04
#define VIRTIO_STATUS_FEATURES_OK        0x08
#define VIRTIO_STATUS_NEEDS_RESET        0x40
#define VIRTIO_STATUS_FAILED             0x80

/* ---- device-independent feature bits ------------------------------------ */
#define VIRTIO_F_INDIRECT_DESC           28
#define VIRTIO_F_EVENT_IDX               29
#define VIRTIO_F_VERSION_1               32
#define VIRTIO_F_ACCESS_PLATFORM         33

#define VIRTIO_BIT(n)                    (1ULL << (n))

/* ---- device ids --------------------------------------------------------- */
#define VIRTIO_ID_NET                    1
#define VIRTIO_ID_BLOCK                  2
#define VIRTIO_ID_CONSOLE                3
#define VIRTIO_ID_RNG                    4

/* ---- virtio-mmio registers (4.2.2), all 32 bits wide ------------------- */
#define VIRTIO_MMIO_MAGIC_VALUE          0x000   /* "virt" */
#define VIRTIO_MMIO_VERSION              0x004
#define VIRTIO_MMIO_DEVICE_ID            0x008
#define VIRTIO_MMIO_VENDOR_ID            0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES      0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL  0x014
#define VIRTIO_MMIO_DRIVER_FEATURES      0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL  0x024
#define VIRTIO_MMIO_QUEUE_SEL            0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX        0x034
#define VIRTIO_MMIO_QUEUE_NUM            0x038
#define VIRTIO_MMIO_QUEUE_READY          0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY         0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS     0x060
#define VIRTIO_MMIO_INTERRUPT_ACK        0x064
#define VIRTIO_MMIO_STATUS               0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW       0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH      0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW     0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH    0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW     0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH    0x0a4
#define VIRTIO_MMIO_SHM_SEL              0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW          0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH         0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW         0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH        0x0bc
#define VIRTIO_MMIO_CONFIG_GENERATION    0x0fc
#define VIRTIO_MMIO_CONFIG               0x100

#define VIRTIO_MMIO_MAGIC                0x74726976u
#define VIRTIO_MMIO_VERSION_MODERN       2

#define VIRTIO_MMIO_INT_VRING            0x1
#define VIRTIO_MMIO_INT_CONFIG           0x2

/* ---- split virtqueue layout (2.7) --------------------------------------- */
#define VIRTQ_DESC_SIZE                  16      /* addr u64, len u32, flags u16, next u16 */
#define VIRTQ_DESC_F_NEXT                1
#define VIRTQ_DESC_F_WRITE               2
#define VIRTQ_DESC_F_INDIRECT            4
#define VIRTQ_AVAIL_F_NO_INTERRUPT       1       /* avail: flags u16, idx u16, ring[] u16, used_event u16 */
#define VIRTQ_USED_F_NO_NOTIFY           1       /* used: flags u16, idx u16, ring[] {u32 id, u32 len}, avail_event u16 */
#define VIRTQ_USED_ELEM_SIZE             8
#define VIRTQ_MAX_SIZE                   32768

/* ---- virtio-blk (5.2) --------------------------------------------------- */
#define VIRTIO_BLK_F_SIZE_MAX            1
#define VIRTIO_BLK_F_SEG_MAX             2
#define VIRTIO_BLK_F_RO                  5
#define VIRTIO_BLK_F_BLK_SIZE            6
#define VIRTIO_BLK_F_FLUSH               9
#define VIRTIO_BLK_F_CONFIG_WCE          11
#define VIRTIO_BLK_F_DISCARD             13
#define VIRTIO_BLK_F_WRITE_ZEROES        14

/* config space offsets */
#define VIRTIO_BLK_CFG_CAPACITY          0x00    /* u64, 512-byte sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX          0x08    /* u32 */
#define VIRTIO_BLK_CFG_SEG_MAX           0x0c    /* u32 */
#define VIRTIO_BLK_CFG_BLK_SIZE          0x14    /* u32 */
#define VIRTIO_BLK_CFG_WRITEBACK         0x20    /* u8: write cache on (CONFIG_WCE) */
#define VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS 0x24  /* u32 */
#define VIRTIO_BLK_CFG_MAX_DISCARD_SEG   0x28    /* u32 */
#define VIRTIO_BLK_CFG_DISCARD_ALIGN     0x2c    /* u32 */
#define VIRTIO_BLK_CFG_MAX_WZ_SECTORS    0x30    /* u32 */
#define VIRTIO_BLK_CFG_MAX_WZ_SEG        0x34    /* u32 */
#define VIRTIO_BLK_CFG_WZ_MAY_UNMAP      0x38    /* u8 */
#define VIRTIO_BLK_CFG_SIZE              0x3c

#define VIRTIO_BLK_T_IN                  0
#define VIRTIO_BLK_T_OUT                 1
#define VIRTIO_BLK_T_FLUSH               4
#define VIRTIO_BLK_T_GET_ID              8
#define VIRTIO_BLK_T_DISCARD             11
#define VIRTIO_BLK_T_WRITE_ZEROES        13

#define VIRTIO_BLK_S_OK                  0
#define VIRTIO_BLK_S_IOERR               1
#define VIRTIO_BLK_S_UNSUPP              2

#define VIRTIO_BLK_HDR_SIZE              16      /* type u32, ioprio u32, sector u64 */
#define VIRTIO_BLK_SEG_SIZE              16      /* sector u64, num_sectors u32, flags u32 */
#define VIRTIO_BLK_WZ_F_UNMAP            1
#define VIRTIO_BLK_ID_BYTES              20
#define VIRTIO_BLK_SECTOR_SIZE           512

/* ---- virtio-net (5.1) --------------------------------------------------- */
#define VIRTIO_NET_F_MAC                 5
#define VIRTIO_NET_F_STATUS              16
#define VIRTIO_NET_S_LINK_UP             1

#define VIRTIO_NET_CFG_MAC               0x00    /* u8[6] */
#define VIRTIO_NET_CFG_STATUS            0x06    /* u16 */
#define VIRTIO_NET_CFG_SIZE              0x08

/* struct virtio_net_hdr with VIRTIO_F_VERSION_1: flags u8, gso_type u8,
 * hdr_len u16, gso_size u16, csum_start u16, csum_offset u16, num_buffers u16 */
#define VIRTIO_NET_HDR_SIZE              12
#define VIRTIO_NET_HDR_FLAGS             0
#define VIRTIO_NET_HDR_GSO_TYPE          1
#define VIRTIO_NET_HDR_NUM_BUFFERS       10

/* ---- virtio-console (5.3) ----------------------------------------------- */
#define VIRTIO_CONSOLE_CFG_SIZE          12      /* cols u16, rows u16, max_nr_ports u32, emerg_wr u32 */

#define VIRTIO_CONSOLE_RX_QUEUE          0
#define VIRTIO_CONSOLE_TX_QUEUE          1
#define VIRTIO_CONSOLE_F_MULTIPORT       1
#define VIRTIO_CONSOLE_CFG_MAX_NR_PORTS  4
#define VIRTIO_CONSOLE_CTRL_RX_QUEUE     2       /* device -> driver */
#define VIRTIO_CONSOLE_CTRL_TX_QUEUE     3       /* driver -> device */
/* struct virtio_console_control: id u32, event u16, value u16 */
#define VIRTIO_CONSOLE_CTRL_SIZE         8
#define VIRTIO_CONSOLE_DEVICE_READY      0
#define VIRTIO_CONSOLE_DEVICE_ADD        1
#define VIRTIO_CONSOLE_DEVICE_REMOVE     2
#define VIRTIO_CONSOLE_PORT_READY        3
#define VIRTIO_CONSOLE_CONSOLE_PORT      4
#define VIRTIO_CONSOLE_RESIZE            5
#define VIRTIO_CONSOLE_PORT_OPEN         6
#define VIRTIO_CONSOLE_PORT_NAME         7
#define VIRTIO_NET_RX_QUEUE              0
#define VIRTIO_NET_TX_QUEUE              1

/* ---- virtio-balloon (5.5) ----------------------------------------------- */
#define VIRTIO_ID_BALLOON                5
#define VIRTIO_BALLOON_F_STATS_VQ        1
#define VIRTIO_BALLOON_F_DEFLATE_ON_OOM  2
#define VIRTIO_BALLOON_F_REPORTING       5

#define VIRTIO_BALLOON_CFG_NUM_PAGES     0x00    /* u32, device: pages wanted in the balloon */
#define VIRTIO_BALLOON_CFG_ACTUAL        0x04    /* u32, driver: pages in the balloon */
#define VIRTIO_BALLOON_CFG_SIZE          0x10    /* + free_page_hint_cmd_id, poison_val */
#define VIRTIO_BALLOON_PFN_SHIFT         12      /* page numbers are 4 KiB frames */
#define VIRTIO_BALLOON_STAT_SIZE         10      /* tag u16, val u64, packed */

/* ---- virtio-vsock (5.10) ------------------------------------------------- */
#define VIRTIO_ID_VSOCK                  19
#define VIRTIO_VSOCK_CFG_GUEST_CID       0x00    /* u64 */
#define VIRTIO_VSOCK_CFG_SIZE            0x08
