/* ARM PrimeCell PL031 real-time clock (DDI0224): a seconds counter. */
#pragma once
#include <stdint.h>
#include "irq/irq.h"

#define PL031_DR   0x00
#define PL031_MR   0x04
#define PL031_LR   0x08
#define PL031_CR   0x0c
#define PL031_IMSC 0x10
#define PL031_RIS  0x14
#define PL031_MIS  0x18
#define PL031_ICR  0x1c

typedef struct _ArmzPl031 ArmzPl031;
/* NOW returns the host's seconds since the epoch (tests pass a fake). */
ArmzPl031 *armz_pl031_new(ArmzIrqLine irq, int64_t (*now)(void));
void armz_pl031_free(ArmzPl031 *s);
void armz_pl031_reset(ArmzPl031 *s);
uint64_t armz_pl031_read(void *opaque, uint64_t offset, unsigned size);
void armz_pl031_write(void *opaque, uint64_t offset, unsigned size, uint64_t value);
