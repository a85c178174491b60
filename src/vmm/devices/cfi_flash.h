/* CFI parallel NOR flash with the Intel/Sharp command set (CFI "0001"), as
 * the two flash banks of QEMU's "virt" machine: 32-bit bank of two 16-bit
 * chips, 256 KiB erase blocks (128 KiB per chip), every command sent to
 * both chips at once (EDK2 writes 0x00XX00XX).  The bank's bytes live in
 * STORAGE (a mapping of the flash file); reads in read-array mode normally
 * never get here because the VMM maps the storage as a read-only KVM
 * memory slot ("ROMD" mode) and drops the slot while the bank answers
 * commands instead. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#define ARMZ_FLASH_BANK_SIZE    0x04000000ULL   /* 64 MiB per bank */
#define ARMZ_FLASH_SECTOR_SIZE  0x00040000ULL   /* erase block of the bank */
#define ARMZ_FLASH_BANK_WIDTH   4
#define ARMZ_FLASH_DEVICE_WIDTH 2
#define ARMZ_FLASH_WRITE_BUFFER 4096            /* bytes per buffered program */

/* status register bits (per chip) */
#define ARMZ_FLASH_SR_READY     0x80
#define ARMZ_FLASH_SR_ERASE_ERR 0x20
#define ARMZ_FLASH_SR_PROG_ERR  0x10

typedef struct _ArmzCfiFlash ArmzCfiFlash;

typedef struct {
    const char *name;           /* for the log: "code", "vars" */
    uint8_t *storage;           /* SIZE bytes */
    uint64_t size;              /* a multiple of ARMZ_FLASH_SECTOR_SIZE */
    bool readonly;              /* program/erase fail with an error status */
    /* Read-array mode entered (TRUE) or left: map or drop the fast slot. */
    void (*romd)(void *opaque, bool on);
    /* LEN bytes at OFFSET of STORAGE changed: make them reach the file. */
    void (*persist)(void *opaque, uint64_t offset, uint64_t len);
    void *opaque;
} ArmzCfiFlashConfig;

ArmzCfiFlash *armz_cfi_flash_new(const ArmzCfiFlashConfig *cfg);
void armz_cfi_flash_free(ArmzCfiFlash *f);
/* Back to read-array mode, status cleared (machine reset). */
void armz_cfi_flash_reset(ArmzCfiFlash *f);
/* TRUE while reads may be served from the storage directly. */
bool armz_cfi_flash_in_romd(ArmzCfiFlash *f);
/* ArmzMmioReadFn / ArmzMmioWriteFn (OPAQUE: the flash) */
uint64_t armz_cfi_flash_read(void *opaque, uint64_t offset, unsigned size);
void armz_cfi_flash_write(void *opaque, uint64_t offset, unsigned size, uint64_t value);
