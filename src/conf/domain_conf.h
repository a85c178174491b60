/* Domain definitions: libvirt domain XML <-> ArmzDomainDef.
 *
 * CONTRACT (the driver codes against these names; extend, do not rename):
 * parse never loads external entities, DTDs or anything from the network;
 * format(parse(x)) is a fixed point: parse(format(def)) formats identically. */
#pragma once
#include <glib.h>

typedef struct _ArmzDomainDef ArmzDomainDef;

struct _ArmzDomainDef {
    char *virt_type;                /* <domain type=''>: "kvm" or "qemu" */
    char *name;
    unsigned char uuid[16];         /* generated (v4) when absent */
    char *title;                    /* NULL when absent */
    char *description;
    unsigned long long memory_kib;  /* <memory> in KiB */
    unsigned long long current_memory_kib;
    unsigned int vcpus;
    char *os_type;                  /* "hvm" */
    char *os_arch;                  /* "aarch64" */
    char *os_machine;               /* "virt" */
    /* ... the rest (os boot files, cpu, features, clock, lifecycle
     * actions, devices) is added by conf/ as structured fields. */
    gpointer priv;                  /* conf-private extras */
};

ArmzDomainDef *armz_domain_def_new(void);
void armz_domain_def_free(ArmzDomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzDomainDef, armz_domain_def_free)

/* Parses domain XML. Errors are ARMZ_ERROR with codes VIR_ERR_XML_ERROR
 * (malformed or invalid values, message names the element/attribute),
 * VIR_ERR_CONFIG_UNSUPPORTED (hardware we do not provide, names it),
 * VIR_ERR_XML_DETAIL is not used. */
ArmzDomainDef *armz_domain_def_parse(const char *xml, GError **error);

/* Validates XML against the RelaxNG schema at RNG_PATH (schemas/domain.rng);
 * VIR_ERR_XML_INVALID_SCHEMA with the validator's messages on failure. */
gboolean armz_domain_xml_validate(const char *xml, const char *rng_path, GError **error);

/* Formats DEF. ID >= 0 formats a live definition (<domain ... id='N'>);
 * FLAGS are virDomainXMLFlags (VIR_DOMAIN_XML_INACTIVE drops id). */
char *armz_domain_def_format(const ArmzDomainDef *def, int id, unsigned int flags);

/* Deep copy (a running domain keeps its live copy). */
ArmzDomainDef *armz_domain_def_copy(const ArmzDomainDef *def);

/* Checks a name as libvirt does: non-empty, no '/'. */
gboolean armz_domain_name_check(const char *name, GError **error);
