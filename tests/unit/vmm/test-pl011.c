/* PL011 UART: TX, RX FIFO, interrupt mask and status. */
#include <glib.h>
#include <string.h>
#include "devices/pl011.h"
#include "devices/mmio.h"

static GString *txbuf;
static int irq_level = -1;
static int irq_changes;

static void
tx(void *opaque, uint8_t b)
{
    g_string_append_c(txbuf, (char)b);
}

static void
set_irq(void *opaque, unsigned intid, int level)
{
    g_assert_cmpuint(intid, ==, 33);
    irq_level = level;
    irq_changes++;
}

static ArmzPl011 *
new_uart(void)
{
    ArmzIrqLine l = { set_irq, NULL, 33 };
    if (txbuf)
        g_string_free(txbuf, TRUE);
    txbuf = g_string_new(NULL);
    irq_level = -1;
    irq_changes = 0;
    return armz_pl011_new(l, tx, NULL);
}

#define RD(s, off) armz_pl011_read((s), (off), 4)
#define WR(s, off, v) armz_pl011_write((s), (off), 4, (v))

static void
test_tx(void)
{
    ArmzPl011 *s = new_uart();
    g_assert_cmphex(RD(s, PL011_FR) & PL011_FR_TXFE, ==, PL011_FR_TXFE);
    g_assert_cmphex(RD(s, PL011_FR) & PL011_FR_TXFF, ==, 0);
    WR(s, PL011_DR, 'o');
    WR(s, PL011_DR, 'k');
    g_assert_cmpstr(txbuf->str, ==, "ok");
    /* TX interrupt raised (FIFO drained), but masked */
    g_assert_cmphex(RD(s, PL011_RIS) & PL011_INT_TX, ==, PL011_INT_TX);
    g_assert_cmphex(RD(s, PL011_MIS), ==, 0);
    g_assert_true(irq_level <= 0);
    WR(s, PL011_IMSC, PL011_INT_TX);
    g_assert_cmpint(irq_level, ==, 1);
    g_assert_cmphex(RD(s, PL011_MIS), ==, PL011_INT_TX);
    WR(s, PL011_ICR, PL011_INT_TX);
    g_assert_cmpint(irq_level, ==, 0);
    g_assert_cmphex(RD(s, PL011_RIS) & PL011_INT_TX, ==, 0);
    armz_pl011_free(s);
}

static void
test_rx(void)
{
    ArmzPl011 *s = new_uart();
    uint8_t big[40];

    g_assert_cmphex(RD(s, PL011_FR) & PL011_FR_RXFE, ==, PL011_FR_RXFE);
    WR(s, PL011_IMSC, PL011_INT_RX | PL011_INT_RT);
    g_assert_true(irq_level <= 0);
    g_assert_cmpuint(armz_pl011_receive(s, (const uint8_t *)"hi", 2), ==, 2);
    g_assert_cmpint(irq_level, ==, 1);
    g_assert_cmphex(RD(s, PL011_FR) & PL011_FR_RXFE, ==, 0);
    g_assert_cmphex(RD(s, PL011_MIS) & PL011_INT_RX, ==, PL011_INT_RX);
    g_assert_cmphex(RD(s, PL011_DR), ==, 'h');
    g_assert_cmpint(irq_level, ==, 1);
    g_assert_cmphex(RD(s, PL011_DR), ==, 'i');
    /* drained: RX interrupt deasserts by itself */
    g_assert_cmpint(irq_level, ==, 0);
    g_assert_cmphex(RD(s, PL011_FR) & PL011_FR_RXFE, ==, PL011_FR_RXFE);
    g_assert_cmphex(RD(s, PL011_DR), ==, 0);

    /* FIFO of 32: the rest is refused (back-pressure to the backend) */
    memset(big, 'x', sizeof(big));
    big[0] = 'a';
    g_assert_cmpuint(armz_pl011_receive(s, big, sizeof(big)), ==, PL011_FIFO_DEPTH);
    g_assert_cmphex(RD(s, PL011_FR) & PL011_FR_RXFF, ==, PL011_FR_RXFF);
    g_assert_cmpuint(armz_pl011_rx_room(s), ==, 0);
    g_assert_cmphex(RD(s, PL011_DR), ==, 'a');
    g_assert_cmpuint(armz_pl011_rx_room(s), ==, 1);
    g_assert_cmphex(RD(s, PL011_FR) & PL011_FR_RXFF, ==, 0);

    /* masking RX drops the line while data waits */
    WR(s, PL011_IMSC, 0);
    g_assert_cmpint(irq_level, ==, 0);
    g_assert_cmphex(RD(s, PL011_RIS) & PL011_INT_RX, ==, PL011_INT_RX);
    armz_pl011_free(s);
}

static void
test_regs_and_id(void)
{
    ArmzPl011 *s = new_uart();
    static const uint8_t id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

    WR(s, PL011_IBRD, 13);
    WR(s, PL011_FBRD, 1);
    WR(s, PL011_LCR_H, 0x70);
    WR(s, PL011_CR, 0x301);
    g_assert_cmpuint(RD(s, PL011_IBRD), ==, 13);
    g_assert_cmpuint(RD(s, PL011_FBRD), ==, 1);
    g_assert_cmphex(RD(s, PL011_LCR_H), ==, 0x70);
    g_assert_cmphex(RD(s, PL011_CR), ==, 0x301);
    for (int i = 0; i < 8; i++)
        g_assert_cmphex(RD(s, 0xfe0 + 4 * i), ==, id[i]);
    armz_pl011_reset(s);
    g_assert_cmphex(RD(s, PL011_IMSC), ==, 0);
    armz_pl011_free(s);
}

static void
test_via_bus(void)
{
    /* the byte order seen by the guest, through the MMIO bus */
    ArmzPl011 *s = new_uart();
    ArmzMmioBus *bus = armz_mmio_bus_new();
    ArmzMmioRegion r = { "pl011", 0x9000000, 0x1000, armz_pl011_read, armz_pl011_write, s };
    uint8_t d[4] = { 'Z', 0, 0, 0 };

    g_assert_true(armz_mmio_bus_add(bus, &r, NULL));
    g_assert_true(armz_mmio_bus_access(bus, 0x9000000, d, 4, true));
    g_assert_cmpstr(txbuf->str, ==, "Z");
    g_assert_true(armz_mmio_bus_access(bus, 0x9000000 + 0xfe0, d, 4, false));
    g_assert_cmphex(d[0], ==, 0x11);
    g_assert_cmphex(d[3], ==, 0);
    g_assert_true(armz_mmio_bus_access(bus, 0x9000000 + PL011_FR, d, 4, false));
    g_assert_cmphex(d[0], ==, PL011_FR_TXFE | PL011_FR_RXFE);
    armz_mmio_bus_free(bus);
    armz_pl011_free(s);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm/pl011/tx", test_tx);
    g_test_add_func("/vmm/pl011/rx-fifo-and-interrupts", test_rx);
    g_test_add_func("/vmm/pl011/registers-and-id", test_regs_and_id);
    g_test_add_func("/vmm/pl011/guest-byte-order", test_via_bus);
    return g_test_run();
}
