/* Test helpers for the virtio unit tests: synthetic guest memory fenced by
 * inaccessible guard pages (any device access outside guest RAM kills the
 * test with SIGSEGV), and a minimal virtio driver that lays out split rings
 * in it, adds chains and reads completions, writing every field in
 * little-endian byte order as a guest does. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "devices/mmio.h"
#include "irq/irq.h"
#include "virtio/virtqueue.h"
#include "virtio/virtio_core.h"

#define VT_RAM_GPA  0x40000000ULL

typedef struct {
    ArmzGuestMem mem;
    uint8_t *map;
    size_t map_len;
} VtMem;

VtMem *vt_mem_new(size_t size);
void vt_mem_free(VtMem *m);
uint8_t *vt_ptr(VtMem *m, uint64_t gpa);
/* bytes of guest RAM outside [gpa, gpa+len) that are not FILL: 0 expected
 * after an operation that must not write there */
void vt_fill(VtMem *m, uint8_t fill);

typedef struct {
    VtMem *m;
    unsigned num;
    uint64_t desc, avail, used;     /* ring GPAs */
    uint16_t avail_idx;             /* driver's next avail index */
    uint16_t used_seen;             /* used entries consumed */
    unsigned next_desc;             /* next free descriptor (allocated in a ring) */
    bool event_idx;
} VtDrv;

typedef struct {
    uint64_t gpa;
    uint32_t len;
    bool write;                     /* device-writable */
} VtBuf;

/* Rings for a NUM-entry queue at RING_GPA (desc, then avail, then used,
 * each aligned). */
void vt_drv_init(VtDrv *d, VtMem *m, unsigned num, uint64_t ring_gpa);
void vt_set_desc(VtDrv *d, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                 uint16_t next);
/* Writes descriptor I of the table at TABLE_GPA. */
void vt_set_desc_at(VtMem *m, uint64_t table_gpa, unsigned i, uint64_t addr, uint32_t len,
                    uint16_t flags, uint16_t next);
/* Makes HEAD available (avail ring + idx). */
void vt_publish(VtDrv *d, uint16_t head);
void vt_set_avail_idx(VtDrv *d, uint16_t idx);
/* Builds a chain of N buffers from free descriptors and publishes it. */
uint16_t vt_add(VtDrv *d, const VtBuf *bufs, unsigned n);
/* Builds an indirect table at TABLE_GPA holding BUFS and publishes one
 * descriptor pointing at it. */
uint16_t vt_add_indirect(VtDrv *d, uint64_t table_gpa, const VtBuf *bufs, unsigned n);
/* Next completion: TRUE with ID and LEN, FALSE when none. */
bool vt_get_used(VtDrv *d, uint32_t *id, uint32_t *len);
uint16_t vt_used_idx(VtDrv *d);
/* avail->flags, used_event (needs event_idx layout), used->avail_event */
void vt_set_avail_flags(VtDrv *d, uint16_t flags);
void vt_set_used_event(VtDrv *d, uint16_t v);
uint16_t vt_avail_event(VtDrv *d);

/* ---- virtio-mmio side (vtest-mmio.c): the driver's register accesses
 * through an MMIO bus (so the little-endian byte conversion is exercised
 * too) ---- */
uint32_t vt_rd(ArmzMmioBus *bus, uint64_t base, uint64_t off);
void vt_wr(ArmzMmioBus *bus, uint64_t base, uint64_t off, uint32_t v);
uint64_t vt_rd_sized(ArmzMmioBus *bus, uint64_t addr, unsigned len);
/* ACKNOWLEDGE, DRIVER, features (FEATURES & offered), FEATURES_OK;
 * returns the accepted features (0 if FEATURES_OK did not stick). */
uint64_t vt_negotiate(ArmzMmioBus *bus, uint64_t base, uint64_t features);
/* Selects queue Q, sets size and ring addresses from D, QueueReady = 1. */
void vt_queue_setup(ArmzMmioBus *bus, uint64_t base, unsigned q, VtDrv *d);
void vt_driver_ok(ArmzMmioBus *bus, uint64_t base);

/* ---- transport-independent again (vtest.c) ---- */

/* A test device (vt_echo_ops: "virtio-test", device id 7, 2 queues of at
 * most 64, 8 bytes of config space): every queue echoes, completing each
 * chain with its readable length as the used length (clamped by the core to
 * the writable part); it records what the core tells it.  Its priv is a
 * VtEcho. */
#define VT_ECHO_QUEUES 2
#define VT_ECHO_QMAX   64
typedef struct {
    ArmzVirtqElem elem;
    uint64_t features;              /* from the last set_features */
    unsigned set_features, resets, worked, freed;
    unsigned config_writes;         /* stored into config space, as written */
    unsigned last_write_off, last_write_size;
    uint64_t last_write_value;
    gint delay_us;                  /* per request, for race tests */
    gint started;                   /* requests taken (atomic) */
} VtEcho;
extern const ArmzVirtioOps vt_echo_ops;

/* Interrupt line recorder for ArmzIrqLine */
typedef struct {
    int level;
    unsigned raised;                /* 0 -> 1 transitions */
    unsigned intid;
} VtIrq;
ArmzIrqLine vt_irq_line(VtIrq *irq, unsigned intid);

/* vtest-mmio.c: attach D's virtio-mmio transport at BASE on a new bus with
 * memory M and IRQ (no ioeventfd). */
ArmzMmioBus *vt_attach(ArmzVirtioDev *d, uint64_t base, VtMem *m, VtIrq *irq);
/* Runs the device's worker rounds until nothing is left to do. */
void vt_run(ArmzVirtioDev *d);
/* A temporary directory for the test (removed by vt_tmpdir_cleanup). */
const char *vt_tmpdir(void);
void vt_tmpdir_cleanup(void);
