/* Shared between the domain parser's files; internal to conf/. */
#pragma once
#include "conf/domain_conf.h"
#include "conf/xml_util.h"
#include "util/number.h"

/* Sets ERROR (ARMZ_ERROR, CODE) and returns FALSE, so checks read
 * "return armz_conf_fail(...)". */
gboolean armz_conf_fail(GError **error, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* Reads attribute ATTR of NODE into *OUT (NULL when absent; default DEF is
 * used then). The value must be one of SUPPORTED; a value in UNSUPPORTED
 * (valid for libvirt, hardware we lack) is VIR_ERR_CONFIG_UNSUPPORTED,
 * anything else VIR_ERR_XML_ERROR. Both lists are NULL-terminated. */
gboolean armz_conf_choice_attr(xmlNodePtr node, const char *attr, const char *def,
                               const char *const *supported,
                               const char *const *unsupported,
                               char **out, GError **error);

/* Returns the index of the value in SUPPORTED, or -1 with ERROR set. */
int armz_conf_enum_attr(xmlNodePtr node, const char *attr, const char *def,
                        const char *const *supported, const char *const *unsupported,
                        GError **error);

/* Unsigned attribute: *OUT untouched when absent. */
gboolean armz_conf_uint_attr(xmlNodePtr node, const char *attr, unsigned int *out,
                             GError **error);

/* Refuses a child element of PARENT_NAME we do not know. */
gboolean armz_conf_unsupported_child(xmlNodePtr child, const char *parent_name,
                                     GError **error);

gboolean armz_domain_devices_parse(ArmzDomainDef *def, xmlNodePtr devices, GError **error);
void armz_domain_devices_format(GString *buf, const ArmzDomainDef *def, gboolean live);

ArmzDomainCpuDef *armz_domain_cpu_def_new(void);
ArmzDomainFeatureDef *armz_domain_feature_def_new(char *name, char *xml);
