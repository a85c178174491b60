/* The few AML encodings the DSDT needs (ACPI 6.x, chapter 20). */
#pragma once
#include <stdint.h>
#include <glib.h>

/* Appends a package: OP bytes, PkgLength of BODY, then BODY. */
void armz_aml_package(GByteArray *out, const uint8_t *op, unsigned oplen, const GByteArray *body);
/* an integer with the shortest encoding (Zero, One, Byte..QWord) */
void armz_aml_int(GByteArray *out, uint64_t v);
/* NameOp SEG: the start of Name(SEG, ...) */
void armz_aml_name_op(GByteArray *out, const char *seg);
/* Device(SEG) { BODY } */
void armz_aml_device(GByteArray *scope, const char *seg, const GByteArray *body);
/* Name(SEG, ResourceTemplate() { RES }): RES the descriptors, without the end tag */
void armz_aml_name_resources(GByteArray *out, const char *seg, const GByteArray *res);
/* Name(SEG, "string") */
void armz_aml_name_string(GByteArray *out, const char *seg, const char *s);
/* Name(SEG, integer) */
void armz_aml_name_int(GByteArray *out, const char *seg, uint64_t v);
/* Name(_CRS, ResourceTemplate() { Memory32Fixed(ReadWrite, BASE, SIZE)
 * Interrupt(ResourceConsumer, Level, ActiveHigh, Exclusive) { GSIV } }) */
void armz_aml_crs_mmio_irq(GByteArray *out, uint32_t base, uint32_t size, uint32_t gsiv);
/* Name(_AEI, ResourceTemplate() { GpioInt(Edge, ActiveHigh, Exclusive,
 * PullUp, 0, CONTROLLER) { PIN } }): an event on PIN of CONTROLLER (a full
 * path such as "\\_SB.GPO0") runs the controller's _Exx method */
void armz_aml_aei_gpio(GByteArray *out, const char *controller, uint16_t pin);
/* Method(SEG, 0) { Notify(TARGET, VALUE) }, TARGET a root path of two
 * segments such as "\\_SB_PWRB" written as "_SB_", "PWRB" */
void armz_aml_method_notify(GByteArray *out, const char *seg, const char *scope,
                            const char *target, uint8_t value);
