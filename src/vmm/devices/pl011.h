/* ARM PrimeCell PL011 UART model (DDI0183): TX, 32-entry RX FIFO, interrupts. */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include "irq/irq.h"

#define PL011_DR      0x000
#define PL011_RSR     0x004
#define PL011_FR      0x018
#define PL011_ILPR    0x020
#define PL011_IBRD    0x024
#define PL011_FBRD    0x028
#define PL011_LCR_H   0x02c
#define PL011_CR      0x030
#define PL011_IFLS    0x034
#define PL011_IMSC    0x038
#define PL011_RIS     0x03c
#define PL011_MIS     0x040
#define PL011_ICR     0x044
#define PL011_DMACR   0x048

#define PL011_FR_BUSY (1u << 3)
#define PL011_FR_RXFE (1u << 4)
#define PL011_FR_TXFF (1u << 5)
#define PL011_FR_RXFF (1u << 6)
#define PL011_FR_TXFE (1u << 7)

#define PL011_INT_RX  (1u << 4)
#define PL011_INT_TX  (1u << 5)
#define PL011_INT_RT  (1u << 6)
#define PL011_INT_ALL 0x7ffu

#define PL011_FIFO_DEPTH 32

typedef struct _ArmzPl011 ArmzPl011;

/* TX receives every byte the guest writes (called on a vCPU thread, under
 * the device lock: it must not call back into the device). */
typedef void (*ArmzPl011TxFn)(void *opaque, uint8_t byte);

ArmzPl011 *armz_pl011_new(ArmzIrqLine irq, ArmzPl011TxFn tx, void *tx_opaque);
void armz_pl011_free(ArmzPl011 *s);
void armz_pl011_reset(ArmzPl011 *s);
uint64_t armz_pl011_read(void *opaque, uint64_t offset, unsigned size);
void armz_pl011_write(void *opaque, uint64_t offset, unsigned size, uint64_t value);
/* Feeds host input; returns how many bytes fit in the RX FIFO. */
size_t armz_pl011_receive(ArmzPl011 *s, const uint8_t *buf, size_t len);
/* Free RX FIFO entries (the input backend stops reading at 0). */
size_t armz_pl011_rx_room(ArmzPl011 *s);
/* Called (without the lock held) when the guest has drained the RX FIFO
 * from full, so the backend can resume reading input. */
void armz_pl011_set_rx_ready_cb(ArmzPl011 *s, void (*cb)(void *), void *opaque);
