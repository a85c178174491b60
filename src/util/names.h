/* Names of domains, networks, storage pools and volumes: checked once, where
 * a definition is parsed, by the rules libvirt applies plus those that keep
 * a name safe as a file name and inside the configurations we generate. */
#pragma once
#include <glib.h>

typedef enum {
    ARMZ_NAME_DOMAIN,
    ARMZ_NAME_NETWORK,
    ARMZ_NAME_POOL,
    ARMZ_NAME_VOLUME,
} ArmzNameKind;

/* The longest name of KIND: NAME_MAX less the longest suffix its stores
 * add (NAME.status.tmp-XXXXXX for domains, NAME.conf.tmp-XXXXXX for
 * networks, NAME.xml.tmp-XXXXXX for pools; a volume is its own file). */
gsize armz_name_max(ArmzNameKind kind);

/* A name of KIND is non-empty, at most armz_name_max(KIND) bytes, has no
 * '/' and no control character (so no newline), is not "." or "..", and
 * (but for a domain's, as libvirt allows) does not start with '-'. Fails
 * with libvirt's message where it has one. */
gboolean armz_name_check(ArmzNameKind kind, const char *name, GError **error);

/* Whether VALUE, the WHAT of an object, can be written into FORMAT (a file
 * or script we generate for a tool, "the dnsmasq configuration") as it is:
 * not empty, no control character (a newline would start a line of its
 * own there), none of SPECIAL (what FORMAT reads as syntax; may be NULL).
 * Writers call it where they write, whatever the parsers let through. */
gboolean armz_config_value_check(const char *format, const char *what, const char *value,
                                 const char *special, GError **error);
