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

/* Attribute ATTR as on/off (YESNO: yes/no); ABSENT when not given. */
gboolean armz_conf_tristate_attr(xmlNodePtr node, const char *attr, gboolean yesno,
                                 ArmzTristate *out, GError **error);
const char *armz_conf_tristate_to_string(ArmzTristate t, gboolean yesno); /* NULL: absent */

/* Refuses a child element of PARENT_NAME we do not know. */
gboolean armz_conf_unsupported_child(xmlNodePtr child, const char *parent_name,
                                     GError **error);

gboolean armz_domain_devices_parse(ArmzDomainDef *def, xmlNodePtr devices, GError **error);
void armz_domain_devices_format(GString *buf, const ArmzDomainDef *def, gboolean live);

ArmzDomainCpuDef *armz_domain_cpu_def_new(void);
ArmzDomainFeatureDef *armz_domain_feature_def_new(void);
ArmzDomainTimerDef *armz_domain_timer_def_new(void);
ArmzDomainSeclabelDef *armz_domain_seclabel_def_new(void);

/* ArmzDomainXmlExtra (domain_extra.c). Capture keeps NODE's attributes not
 * in TYPED_ATTRS and its child elements not in TYPED_CHILDREN (<alias> is
 * runtime-only and dropped); EXTRA must be initialized. */
void armz_domain_xml_extra_init(ArmzDomainXmlExtra *extra);
void armz_xml_attr_free(gpointer p);     /* an ArmzXmlAttr */
void armz_domain_xml_extra_clear(ArmzDomainXmlExtra *extra);
gboolean armz_conf_extra_capture(ArmzDomainXmlExtra *extra, xmlNodePtr node,
                                 const char *const *typed_attrs,
                                 const char *const *typed_children, GError **error);
void armz_conf_extra_attrs_append(GString *buf, const ArmzDomainXmlExtra *extra);
void armz_conf_extra_children_append(GString *buf, const ArmzDomainXmlExtra *extra,
                                     unsigned int level);
/* <NAME ATTRS extra-attrs/> or with the extra children inside, at LEVEL. */
void armz_conf_extra_element_append(GString *buf, const char *name, const GString *attrs,
                                    const ArmzDomainXmlExtra *extra, unsigned int level);

gboolean armz_conf_address_parse(ArmzDomainAddressDef **out, xmlNodePtr node, GError **error);
void armz_conf_address_format(GString *buf, const ArmzDomainAddressDef *addr,
                              unsigned int level);

/* Firmware and platform parts (domain_firmware.c): <os firmware=''>, its
 * <firmware> and <smbios> children, <sysinfo>. */
void armz_domain_firmware_init(ArmzDomainDef *def);
void armz_domain_firmware_clear(ArmzDomainDef *def);
gboolean armz_conf_os_firmware_attr(ArmzDomainDef *def, xmlNodePtr os, GError **error);
/* TRUE for the <os> children armz_conf_os_child_parse() takes: <firmware>,
 * <smbios>. */
gboolean armz_conf_os_child_is_firmware(xmlNodePtr child);
gboolean armz_conf_os_child_parse(ArmzDomainDef *def, xmlNodePtr child, GError **error);
gboolean armz_conf_sysinfo_parse(ArmzDomainDef *def, xmlNodePtr node, GError **error);
void armz_conf_os_firmware_format(GString *buf, const ArmzDomainDef *def); /* <firmware> */
void armz_conf_os_smbios_format(GString *buf, const ArmzDomainDef *def);
void armz_conf_sysinfo_format(GString *buf, const ArmzDomainDef *def);
/* <filesystem> and <memoryBacking> (domain_fs.c). */
gboolean armz_domain_fs_parse(ArmzDomainDef *def, xmlNodePtr node, GError **error);
void armz_domain_fs_format(GString *buf, const ArmzDomainFsDef *fs);
gboolean armz_domain_memory_backing_parse(ArmzDomainDef *def, xmlNodePtr node, GError **error);
void armz_domain_memory_backing_format(GString *buf, const ArmzDomainDef *def);
