/* CFI flash, Intel command set: the state machine.  Geometry and CFI table
 * as QEMU's pflash_cfi01 answers for "virt" (facts: ID 0x89/0x18, CFI
 * primary command set 0001, 2 x16 chips per 32-bit bank). */
#include <string.h>
#include "devices/cfi_flash.h"
#include "devices/mmio.h"
#include "vmmlog.h"

enum {
    CMD_READ_ARRAY = 0xff,
    CMD_READ_ARRAY_ALT = 0x00,      /* also taken as read array */
    CMD_AMD_RESET = 0xf0,
    CMD_PROGRAM = 0x40,
    CMD_PROGRAM_ALT = 0x10,
    CMD_ERASE = 0x20,
    CMD_CLEAR_STATUS = 0x50,
    CMD_LOCK_SETUP = 0x60,
    CMD_READ_STATUS = 0x70,
    CMD_READ_ID = 0x90,
    CMD_QUERY = 0x98,
    CMD_BUFFERED = 0xe8,
    CMD_CONFIRM = 0xd0,
    CMD_LOCK = 0x01,
    CMD_LOCK_DOWN = 0x2f,
};

#define CFI_TABLE_LEN 0x52
#define DEVICES (ARMZ_FLASH_BANK_WIDTH / ARMZ_FLASH_DEVICE_WIDTH)

struct _ArmzCfiFlash {
    ArmzCfiFlashConfig cfg;
    GMutex lock;
    uint8_t cmd;            /* 0: read array */
    unsigned wcycle;        /* write cycle inside a multi-cycle command */
    uint8_t status;
    uint32_t counter;       /* buffered program: words left - 1 */
    uint64_t buf_start, buf_end;    /* range written by the buffered program */
    bool romd;
    uint8_t cfi[CFI_TABLE_LEN];
};

static void
cfi_table(ArmzCfiFlash *f)
{
    uint8_t *t = f->cfi;
    uint64_t blocks = f->cfg.size / ARMZ_FLASH_SECTOR_SIZE;
    uint64_t sector_per_chip = ARMZ_FLASH_SECTOR_SIZE / DEVICES;
    uint64_t chip_size = sector_per_chip * blocks;

    memset(t, 0, sizeof(f->cfi));
    t[0x10] = 'Q'; t[0x11] = 'R'; t[0x12] = 'Y';
    t[0x13] = 0x01; t[0x14] = 0x00;         /* Intel/Sharp command set */
    t[0x15] = 0x31; t[0x16] = 0x00;         /* extended table at 0x31 */
    t[0x1b] = 0x45; t[0x1c] = 0x55;         /* Vcc 4.5 - 5.5 V */
    t[0x1f] = 0x07;                         /* word program 2^7 us */
    t[0x20] = 0x07;                         /* buffer program 2^7 us */
    t[0x21] = 0x0a;                         /* block erase 2^10 ms */
    t[0x23] = 0x04; t[0x24] = 0x04; t[0x25] = 0x04;    /* max = typ * 2^4 */
    t[0x27] = (uint8_t)g_bit_nth_lsf(chip_size, -1);    /* chip size 2^n */
    t[0x28] = 0x02; t[0x29] = 0x00;         /* x8/x16 interface */
    /* write buffer per chip 2^n bytes: the bank's buffer is DEVICES of them */
    t[0x2a] = (uint8_t)g_bit_nth_lsf(ARMZ_FLASH_WRITE_BUFFER / DEVICES, -1);
    t[0x2c] = 0x01;                         /* one erase block region */
    t[0x2d] = (uint8_t)((blocks - 1) & 0xff);
    t[0x2e] = (uint8_t)((blocks - 1) >> 8);
    t[0x2f] = (uint8_t)((sector_per_chip >> 8) & 0xff);
    t[0x30] = (uint8_t)(sector_per_chip >> 16);
    t[0x31] = 'P'; t[0x32] = 'R'; t[0x33] = 'I';
    t[0x34] = '1'; t[0x35] = '0';
    t[0x3f] = 0x01;                         /* protection register fields */
}

static void
set_romd(ArmzCfiFlash *f, bool on)
{
    if (f->romd == on)
        return;
    f->romd = on;
    if (f->cfg.romd)
        f->cfg.romd(f->cfg.opaque, on);
}

static void
read_array_mode(ArmzCfiFlash *f)
{
    f->cmd = 0;
    f->wcycle = 0;
    set_romd(f, true);
}

ArmzCfiFlash *
armz_cfi_flash_new(const ArmzCfiFlashConfig *cfg)
{
    ArmzCfiFlash *f = g_new0(ArmzCfiFlash, 1);

    g_assert(cfg->size && cfg->size % ARMZ_FLASH_SECTOR_SIZE == 0);
    f->cfg = *cfg;
    g_mutex_init(&f->lock);
    f->romd = true;         /* the VMM maps the slot at start */
    cfi_table(f);
    return f;
}

void
armz_cfi_flash_free(ArmzCfiFlash *f)
{
    if (!f)
        return;
    g_mutex_clear(&f->lock);
    g_free(f);
}

void
armz_cfi_flash_reset(ArmzCfiFlash *f)
{
    g_mutex_lock(&f->lock);
    f->status = 0;
    read_array_mode(f);
    g_mutex_unlock(&f->lock);
}

bool
armz_cfi_flash_in_romd(ArmzCfiFlash *f)
{
    bool r;
    g_mutex_lock(&f->lock);
    r = f->romd;
    g_mutex_unlock(&f->lock);
    return r;
}

/* one byte-wide answer, repeated for each chip of the bank as the chips
 * answer side by side (chip i in bits 16*i..) */
static uint64_t
per_chip(uint8_t v, unsigned size)
{
    uint64_t r = 0;
    for (unsigned shift = 0; shift < size * 8; shift += ARMZ_FLASH_DEVICE_WIDTH * 8)
        r |= (uint64_t)v << shift;
    return r;
}

static uint8_t
query_byte(ArmzCfiFlash *f, uint64_t offset)
{
    uint64_t idx = offset / ARMZ_FLASH_BANK_WIDTH;
    return idx < sizeof(f->cfi) ? f->cfi[idx] : 0;
}

static uint8_t
id_byte(uint64_t offset)
{
    switch ((offset / ARMZ_FLASH_BANK_WIDTH) & 0xff) {
    case 0: return 0x89;        /* manufacturer (Intel) */
    case 1: return 0x18;        /* device */
    default: return 0;          /* block lock status: unlocked */
    }
}

static uint64_t
read_locked(ArmzCfiFlash *f, uint64_t offset, unsigned size)
{
    switch (f->cmd) {
    case 0:
        return armz_le_bytes_to_u64(f->cfg.storage + offset, size);
    case CMD_READ_ID:
        return per_chip(id_byte(offset), size);
    case CMD_QUERY:
        return per_chip(query_byte(f, offset), size);
    default:
        /* every other command reads back the status register */
        return per_chip(f->status, size);
    }
}

uint64_t
armz_cfi_flash_read(void *opaque, uint64_t offset, unsigned size)
{
    ArmzCfiFlash *f = opaque;
    uint64_t v;

    if (offset + size > f->cfg.size)
        return 0;
    g_mutex_lock(&f->lock);
    if (size > ARMZ_FLASH_BANK_WIDTH && f->cmd != 0) {
        /* wider than the bank: two bank reads side by side */
        v = read_locked(f, offset, ARMZ_FLASH_BANK_WIDTH) |
            read_locked(f, offset + ARMZ_FLASH_BANK_WIDTH, size - ARMZ_FLASH_BANK_WIDTH)
            << (ARMZ_FLASH_BANK_WIDTH * 8);
    } else {
        v = read_locked(f, offset, size);
    }
    g_mutex_unlock(&f->lock);
    return v;
}

static void
program(ArmzCfiFlash *f, uint64_t offset, unsigned size, uint64_t value)
{
    if (f->cfg.readonly) {
        f->status |= ARMZ_FLASH_SR_PROG_ERR;
        return;
    }
    armz_u64_to_le_bytes(f->cfg.storage + offset, size, value);
}

static void
persist(ArmzCfiFlash *f, uint64_t offset, uint64_t len)
{
    if (!f->cfg.readonly && len && f->cfg.persist)
        f->cfg.persist(f->cfg.opaque, offset, len);
}

static void
bad_sequence(ArmzCfiFlash *f, uint8_t cmd)
{
    armz_vmm_debug("flash %s: command 0x%02x unexpected after 0x%02x (cycle %u)",
                   f->cfg.name, cmd, f->cmd, f->wcycle);
    f->status |= ARMZ_FLASH_SR_PROG_ERR | ARMZ_FLASH_SR_ERASE_ERR;
    read_array_mode(f);
}

/* second cycle of block erase and lock setup: the confirm runs it */
static void
confirm(ArmzCfiFlash *f, uint8_t cmd, uint64_t offset)
{
    uint64_t start = offset & ~(ARMZ_FLASH_SECTOR_SIZE - 1);

    if (cmd == CMD_READ_ARRAY) {
        read_array_mode(f);
        return;
    }
    /* no block locking: lock, unlock and lock-down all succeed */
    if (cmd != CMD_CONFIRM &&
        !(f->cmd == CMD_LOCK_SETUP && (cmd == CMD_LOCK || cmd == CMD_LOCK_DOWN))) {
        bad_sequence(f, cmd);
        return;
    }
    if (f->cmd == CMD_ERASE && f->cfg.readonly) {
        f->status |= ARMZ_FLASH_SR_ERASE_ERR;
    } else if (f->cmd == CMD_ERASE) {
        memset(f->cfg.storage + start, 0xff, ARMZ_FLASH_SECTOR_SIZE);
        persist(f, start, ARMZ_FLASH_SECTOR_SIZE);
    }
    f->status |= ARMZ_FLASH_SR_READY;
    f->wcycle = 0;
}

static void
first_cycle(ArmzCfiFlash *f, uint8_t cmd)
{
    switch (cmd) {
    case CMD_READ_ARRAY:
    case CMD_READ_ARRAY_ALT:
    case CMD_AMD_RESET:
        read_array_mode(f);
        return;
    case CMD_CLEAR_STATUS:
        f->status = 0;
        read_array_mode(f);
        return;
    case CMD_PROGRAM:
    case CMD_PROGRAM_ALT:
    case CMD_ERASE:
    case CMD_LOCK_SETUP:
        f->wcycle = 1;
        break;
    case CMD_BUFFERED:
        /* the write buffer is free at once: the read after it says so */
        f->status |= ARMZ_FLASH_SR_READY;
        f->wcycle = 1;
        break;
    case CMD_READ_STATUS:
    case CMD_READ_ID:
    case CMD_QUERY:
        break;
    default:
        armz_vmm_debug("flash %s: unknown command 0x%02x", f->cfg.name, cmd);
        read_array_mode(f);
        return;
    }
    f->cmd = cmd;
    set_romd(f, false);
}

void
armz_cfi_flash_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    ArmzCfiFlash *f = opaque;
    uint8_t cmd = (uint8_t)value;   /* chip 0's byte; both chips get the same */

    if (offset + size > f->cfg.size)
        return;
    g_mutex_lock(&f->lock);
    switch (f->wcycle) {
    case 0:
        first_cycle(f, cmd);
        break;
    case 1:
        switch (f->cmd) {
        case CMD_PROGRAM:
        case CMD_PROGRAM_ALT:
            program(f, offset, size, value);
            persist(f, offset, size);
            f->status |= ARMZ_FLASH_SR_READY;
            f->wcycle = 0;
            break;
        case CMD_ERASE:
        case CMD_LOCK_SETUP:
            confirm(f, cmd, offset);
            break;
        case CMD_BUFFERED:
            /* word count - 1, per chip (chip 0's half of the value) */
            f->counter = (uint32_t)(value & 0xffff);
            if ((uint64_t)(f->counter + 1) * ARMZ_FLASH_BANK_WIDTH > ARMZ_FLASH_WRITE_BUFFER) {
                bad_sequence(f, cmd);
                break;
            }
            f->buf_start = UINT64_MAX;
            f->buf_end = 0;
            f->wcycle = 2;
            break;
        default:
            bad_sequence(f, cmd);
            break;
        }
        break;
    case 2:
        /* buffered program: the data words, then the confirm */
        program(f, offset, size, value);
        f->buf_start = MIN(f->buf_start, offset);
        f->buf_end = MAX(f->buf_end, offset + size);
        if (f->counter == 0)
            f->wcycle = 3;
        else
            f->counter--;
        break;
    case 3:
        if (cmd == CMD_CONFIRM) {
            if (f->buf_end > f->buf_start)
                persist(f, f->buf_start, f->buf_end - f->buf_start);
            f->status |= ARMZ_FLASH_SR_READY;
            f->wcycle = 0;
        } else {
            bad_sequence(f, cmd);
        }
        break;
    }
    g_mutex_unlock(&f->lock);
}
