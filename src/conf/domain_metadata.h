/* The children of <metadata>, one per namespace URI, as
 * virDomainGetMetadata / virDomainSetMetadata (VIR_DOMAIN_METADATA_ELEMENT)
 * see them. */
#pragma once
#include <glib.h>
#include "conf/domain_conf.h"

/* The element of DEF in namespace URI (a fragment, newly allocated), or
 * NULL when there is none. */
char *armz_domain_metadata_get(const ArmzDomainDef *def, const char *uri);
/* Replaces the element of DEF in namespace URI by XML (one element, put in
 * URI with prefix KEY); XML NULL or empty only removes it. Errors:
 * VIR_ERR_XML_ERROR, VIR_ERR_INVALID_ARG (a KEY that is no XML prefix). */
gboolean armz_domain_metadata_set(ArmzDomainDef *def, const char *xml, const char *key,
                                  const char *uri, GError **error);
