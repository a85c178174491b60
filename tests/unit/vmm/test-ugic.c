/* Userspace GICv2: distributor and CPU interface logic. */
#include <glib.h>
#include "irq/ugic.h"
#include "devices/mmio.h"

static int line[UGIC_MAX_CPUS];
static int changes;

static void
cpu_line(void *opaque, unsigned cpu, int level)
{
    line[cpu] = level;
    changes++;
}

static uint64_t
drd(ArmzUgic *g, unsigned cpu, uint64_t off, unsigned size)
{
    armz_mmio_cpu = cpu;
    return armz_ugic_dist_read(g, off, size);
}

static void
dwr(ArmzUgic *g, unsigned cpu, uint64_t off, unsigned size, uint64_t v)
{
    armz_mmio_cpu = cpu;
    armz_ugic_dist_write(g, off, size, v);
}

static uint64_t
crd(ArmzUgic *g, unsigned cpu, uint64_t off)
{
    armz_mmio_cpu = cpu;
    return armz_ugic_cpu_read(g, off, 4);
}

static void
cwr(ArmzUgic *g, unsigned cpu, uint64_t off, uint64_t v)
{
    armz_mmio_cpu = cpu;
    armz_ugic_cpu_write(g, off, 4, v);
}

/* what Linux's GICv2 driver does at boot, roughly */
static ArmzUgic *
setup(unsigned ncpus)
{
    ArmzUgic *g;
    for (unsigned i = 0; i < UGIC_MAX_CPUS; i++)
        line[i] = 0;
    changes = 0;
    g = armz_ugic_new(ncpus, 96, cpu_line, NULL);
    g_assert_nonnull(g);
    dwr(g, 0, GICD_CTLR, 4, 1);
    for (unsigned c = 0; c < ncpus; c++) {
        dwr(g, c, GICD_ISENABLER, 4, 0x0000ffff);   /* SGIs */
        for (unsigned i = 0; i < 32; i += 4)
            dwr(g, c, GICD_IPRIORITYR + i, 4, 0xa0a0a0a0);
        cwr(g, c, GICC_PMR, 0xf0);
        cwr(g, c, GICC_CTLR, 1);
    }
    for (unsigned i = 32; i < 96; i += 4)
        dwr(g, 0, GICD_IPRIORITYR + i, 4, 0xa0a0a0a0);
    return g;
}

static void
test_typer_and_ids(void)
{
    ArmzUgic *g = setup(2);
    g_assert_cmphex(drd(g, 0, GICD_TYPER, 4), ==, (96 / 32 - 1) | (1 << 5));
    g_assert_cmphex(drd(g, 0, 0xfe8, 4) >> 4 & 0xf, ==, 2);     /* GICv2 */
    /* ITARGETSR of private interrupts reads as the accessing CPU */
    g_assert_cmphex(drd(g, 1, GICD_ITARGETSR, 4), ==, 0x02020202);
    g_assert_cmphex(drd(g, 0, GICD_ITARGETSR + 28, 4), ==, 0x01010101);
    g_assert_null(armz_ugic_new(9, 96, cpu_line, NULL));
    g_assert_null(armz_ugic_new(1, 100, cpu_line, NULL));
    armz_ugic_free(g);
}

static void
test_spi_routing_and_ack(void)
{
    ArmzUgic *g = setup(2);
    const unsigned irq = 33;

    dwr(g, 0, GICD_ITARGETSR + irq, 1, 0x02);           /* to CPU 1 */
    g_assert_cmphex(drd(g, 0, GICD_ITARGETSR + 32, 4), ==, 0x0200);
    armz_ugic_set_spi(g, irq, 1);
    /* not enabled yet: pending, not signalled */
    g_assert_cmphex(drd(g, 0, GICD_ISPENDR + 4, 4), ==, 1u << (irq - 32));
    g_assert_cmpint(line[1], ==, 0);
    dwr(g, 0, GICD_ISENABLER + 4, 4, 1u << (irq - 32));
    g_assert_cmphex(drd(g, 0, GICD_ISENABLER + 4, 4), ==, 1u << (irq - 32));
    g_assert_cmpint(line[0], ==, 0);
    g_assert_cmpint(line[1], ==, 1);
    g_assert_cmpuint(crd(g, 1, GICC_HPPIR), ==, irq);
    g_assert_cmpuint(crd(g, 0, GICC_IAR), ==, 1023);    /* not for CPU 0 */

    g_assert_cmpuint(crd(g, 1, GICC_IAR), ==, irq);
    g_assert_cmpint(line[1], ==, 0);                   /* active: not re-signalled */
    g_assert_cmphex(drd(g, 0, GICD_ISACTIVER + 4, 4), ==, 1u << (irq - 32));
    g_assert_cmpuint(crd(g, 1, GICC_RPR), ==, 0xa0);
    /* level still high at EOI: pending again */
    cwr(g, 1, GICC_EOIR, irq);
    g_assert_cmpint(line[1], ==, 1);
    g_assert_cmpuint(crd(g, 1, GICC_IAR), ==, irq);
    armz_ugic_set_spi(g, irq, 0);
    cwr(g, 1, GICC_EOIR, irq);
    g_assert_cmpint(line[1], ==, 0);
    g_assert_cmpuint(crd(g, 1, GICC_IAR), ==, 1023);
    g_assert_cmpuint(crd(g, 1, GICC_RPR), ==, 0xff);

    /* disabling drops the line */
    armz_ugic_set_spi(g, irq, 1);
    g_assert_cmpint(line[1], ==, 1);
    dwr(g, 0, GICD_ICENABLER + 4, 4, 1u << (irq - 32));
    g_assert_cmpint(line[1], ==, 0);
    armz_ugic_free(g);
}

static void
test_priority(void)
{
    ArmzUgic *g = setup(1);

    dwr(g, 0, GICD_ITARGETSR + 32, 4, 0x01010101);
    dwr(g, 0, GICD_ISENABLER + 4, 4, 0xf);
    dwr(g, 0, GICD_IPRIORITYR + 33, 1, 0xc0);           /* byte access */
    dwr(g, 0, GICD_IPRIORITYR + 34, 1, 0x80);
    dwr(g, 0, GICD_IPRIORITYR + 35, 1, 0xf0);           /* masked by PMR 0xf0 */
    g_assert_cmphex(drd(g, 0, GICD_IPRIORITYR + 32, 4), ==, 0xf080c0a0);
    armz_ugic_set_spi(g, 33, 1);
    armz_ugic_set_spi(g, 35, 1);
    g_assert_cmpint(line[0], ==, 1);
    /* 35 is below the priority mask and never taken */
    g_assert_cmpuint(crd(g, 0, GICC_IAR), ==, 33);
    g_assert_cmpint(line[0], ==, 0);
    /* a higher priority interrupt preempts the running one */
    armz_ugic_set_spi(g, 34, 1);
    g_assert_cmpint(line[0], ==, 1);
    g_assert_cmpuint(crd(g, 0, GICC_IAR), ==, 34);
    g_assert_cmpuint(crd(g, 0, GICC_RPR), ==, 0x80);
    armz_ugic_set_spi(g, 34, 0);
    cwr(g, 0, GICC_EOIR, 34);
    /* 33 is still active (and its level still high): nothing to take */
    g_assert_cmpint(line[0], ==, 0);
    armz_ugic_set_spi(g, 33, 0);
    cwr(g, 0, GICC_EOIR, 33);
    g_assert_cmpint(line[0], ==, 0);
    g_assert_cmpuint(crd(g, 0, GICC_IAR), ==, 1023);
    /* open the mask (0xff reads back as 0xf8): 35 becomes deliverable */
    cwr(g, 0, GICC_PMR, 0xff);
    g_assert_cmpint(line[0], ==, 1);
    g_assert_cmpuint(crd(g, 0, GICC_IAR), ==, 35);
    armz_ugic_free(g);
}

static void
test_sgi_and_ppi(void)
{
    ArmzUgic *g = setup(2);

    /* CPU 0 sends SGI 3 to CPU 1 (target list) */
    dwr(g, 0, GICD_SGIR, 4, (0u << 24) | (0x2u << 16) | 3);
    g_assert_cmpint(line[0], ==, 0);
    g_assert_cmpint(line[1], ==, 1);
    g_assert_cmphex(drd(g, 1, GICD_SPENDSGIR, 4), ==, 0x01000000);  /* SGI 3, source CPU 0 */
    g_assert_cmpuint(crd(g, 1, GICC_IAR), ==, (0u << 10) | 3);
    cwr(g, 1, GICC_EOIR, 3);
    g_assert_cmpint(line[1], ==, 0);

    /* "all but self" from CPU 1: CPU 0 sees source 1 */
    dwr(g, 1, GICD_SGIR, 4, (1u << 24) | 5);
    g_assert_cmpint(line[0], ==, 1);
    g_assert_cmpint(line[1], ==, 0);
    g_assert_cmpuint(crd(g, 0, GICC_IAR), ==, (1u << 10) | 5);
    cwr(g, 0, GICC_EOIR, (1u << 10) | 5);

    /* the virtual timer PPI (27) of CPU 1, level-triggered */
    dwr(g, 1, GICD_ISENABLER, 4, 1u << 27);
    armz_ugic_set_ppi(g, 1, 27, 1);
    g_assert_cmpint(line[0], ==, 0);
    g_assert_cmpint(line[1], ==, 1);
    g_assert_cmpuint(crd(g, 1, GICC_IAR), ==, 27);
    armz_ugic_set_ppi(g, 1, 27, 0);
    cwr(g, 1, GICC_EOIR, 27);
    g_assert_cmpint(line[1], ==, 0);
    /* enable bits of PPIs are banked per CPU */
    g_assert_cmphex(drd(g, 0, GICD_ISENABLER, 4) & (1u << 27), ==, 0);
    armz_ugic_free(g);
}

static void
test_edge_and_disabled_cpu(void)
{
    ArmzUgic *g = setup(1);

    dwr(g, 0, GICD_ITARGETSR + 40, 1, 1);
    dwr(g, 0, GICD_ICFGR + 40 / 16 * 4, 4, 2u << (2 * (40 % 16)));   /* edge */
    g_assert_cmphex(drd(g, 0, GICD_ICFGR + 8, 4) >> (2 * 8) & 3, ==, 2);
    dwr(g, 0, GICD_ISENABLER + 4, 4, 1u << 8);
    armz_ugic_set_spi(g, 40, 1);
    armz_ugic_set_spi(g, 40, 0);            /* a pulse latches */
    g_assert_cmpint(line[0], ==, 1);
    g_assert_cmpuint(crd(g, 0, GICC_IAR), ==, 40);
    cwr(g, 0, GICC_EOIR, 40);
    g_assert_cmpint(line[0], ==, 0);
    /* software pending via ISPENDR, CPU interface disabled: no line */
    cwr(g, 0, GICC_CTLR, 0);
    dwr(g, 0, GICD_ISPENDR + 4, 4, 1u << 8);
    g_assert_cmpint(line[0], ==, 0);
    cwr(g, 0, GICC_CTLR, 1);
    g_assert_cmpint(line[0], ==, 1);
    dwr(g, 0, GICD_ICPENDR + 4, 4, 1u << 8);
    g_assert_cmpint(line[0], ==, 0);
    armz_ugic_free(g);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm/ugic/typer-and-ids", test_typer_and_ids);
    g_test_add_func("/vmm/ugic/spi-routing-and-ack", test_spi_routing_and_ack);
    g_test_add_func("/vmm/ugic/priority-and-mask", test_priority);
    g_test_add_func("/vmm/ugic/sgi-and-ppi", test_sgi_and_ppi);
    g_test_add_func("/vmm/ugic/edge-and-disabled-cpu", test_edge_and_disabled_cpu);
    return g_test_run();
}
