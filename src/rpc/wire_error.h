/* A GError (ARMZ_ERROR, code = virErrorNumber) as the error body libvirt
 * clients print: the message carries libvirt's prefix for its code. */
#pragma once
#include <glib.h>
#include "rpc/armz_protocol.h"

/* Fills ERR (free with xdr_free(xdr_armz_error)). */
void armz_wire_error_fill(armz_error *err, const GError *error);

/* The full message for CODE and DETAIL as libvirt formats it. */
char *armz_wire_error_message(int code, const char *detail);
