/* PL061 GPIO as the power button: edge interrupts as gpio-keys sets them. */
#include <glib.h>
#include "devices/pl061.h"

static int level = -1;

static void
set_irq(void *opaque, unsigned intid, int l)
{
    level = l;
}

static void
test_power_key(void)
{
    ArmzIrqLine line = { set_irq, NULL, 39 };
    ArmzPl061 *s = armz_pl061_new(line);
    const unsigned pin = 3, bit = 1u << pin;

    /* what Linux does for gpio-keys: input, both edges, unmask */
    armz_pl061_write(s, PL061_DIR, 1, 0);
    armz_pl061_write(s, PL061_IS, 1, 0);
    armz_pl061_write(s, PL061_IBE, 1, bit);
    armz_pl061_write(s, PL061_IE, 1, bit);
    g_assert_true(level <= 0);

    armz_pl061_set_input(s, pin, 1);               /* press */
    g_assert_cmpint(level, ==, 1);
    g_assert_cmphex(armz_pl061_read(s, PL061_MIS, 1), ==, bit);
    /* DATA is address-masked: bits [9:2] of the offset select pins */
    g_assert_cmphex(armz_pl061_read(s, bit << 2, 1), ==, bit);
    g_assert_cmphex(armz_pl061_read(s, 0x3fc, 1), ==, bit);
    g_assert_cmphex(armz_pl061_read(s, 1u << 2, 1), ==, 0);
    armz_pl061_write(s, PL061_IC, 1, bit);
    g_assert_cmpint(level, ==, 0);

    armz_pl061_set_input(s, pin, 0);               /* release */
    g_assert_cmpint(level, ==, 1);
    g_assert_cmphex(armz_pl061_read(s, 0x3fc, 1), ==, 0);
    armz_pl061_write(s, PL061_IC, 1, bit);
    g_assert_cmpint(level, ==, 0);

    /* rising edge only */
    armz_pl061_write(s, PL061_IBE, 1, 0);
    armz_pl061_write(s, PL061_IEV, 1, bit);
    armz_pl061_set_input(s, pin, 1);
    g_assert_cmpint(level, ==, 1);
    armz_pl061_write(s, PL061_IC, 1, bit);
    armz_pl061_set_input(s, pin, 0);
    g_assert_cmpint(level, ==, 0);

    /* masked: status latched, no line */
    armz_pl061_write(s, PL061_IE, 1, 0);
    armz_pl061_set_input(s, pin, 1);
    g_assert_cmpint(level, ==, 0);
    g_assert_cmphex(armz_pl061_read(s, PL061_RIS, 1), ==, bit);
    g_assert_cmphex(armz_pl061_read(s, 0xfe0, 4), ==, 0x61);
    armz_pl061_free(s);
}

static void
test_output(void)
{
    ArmzIrqLine line = { set_irq, NULL, 39 };
    ArmzPl061 *s = armz_pl061_new(line);
    armz_pl061_write(s, PL061_DIR, 1, 0x0f);
    armz_pl061_write(s, 0x3fc, 1, 0xff);            /* all pins, only outputs latch */
    g_assert_cmphex(armz_pl061_read(s, 0x3fc, 1), ==, 0x0f);
    armz_pl061_write(s, 0x4 << 2, 1, 0x00);         /* clear pin 2 only */
    g_assert_cmphex(armz_pl061_read(s, 0x3fc, 1), ==, 0x0b);
    armz_pl061_free(s);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm/pl061/power-key", test_power_key);
    g_test_add_func("/vmm/pl061/output", test_output);
    return g_test_run();
}
