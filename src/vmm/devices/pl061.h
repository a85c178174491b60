/* ARM PrimeCell PL061 GPIO (DDI0190): 8 pins with edge/level interrupts.
 * armz-vmm wires pin 3 as the power button (gpio-keys, KEY_POWER). */
#pragma once
#include <stdint.h>
#include "irq/irq.h"

#define PL061_DATA  0x000   /* 0x000-0x3fc: address bits [9:2] mask the access */
#define PL061_DIR   0x400
#define PL061_IS    0x404
#define PL061_IBE   0x408
#define PL061_IEV   0x40c
#define PL061_IE    0x410
#define PL061_RIS   0x414
#define PL061_MIS   0x418
#define PL061_IC    0x41c
#define PL061_AFSEL 0x420

typedef struct _ArmzPl061 ArmzPl061;
ArmzPl061 *armz_pl061_new(ArmzIrqLine irq);
void armz_pl061_free(ArmzPl061 *s);
void armz_pl061_reset(ArmzPl061 *s);
uint64_t armz_pl061_read(void *opaque, uint64_t offset, unsigned size);
void armz_pl061_write(void *opaque, uint64_t offset, unsigned size, uint64_t value);
/* Drives an input pin from outside (the power button). */
void armz_pl061_set_input(ArmzPl061 *s, unsigned pin, int level);
