/* The string filter the generated XDR code uses (rpcgen.sh substitutes it
 * for xdr_string): refuses, on decode, a string holding a NUL byte, which
 * C would silently cut there ("vm\0x" read as "vm"). */
#pragma once
#include <glib.h>
#include <rpc/rpc.h>

bool_t armz_xdr_string(XDR *xdrs, char **sp, u_int maxsize);

/* Whether the last decode failure in this thread was such a NUL byte;
 * armz_xdr_string_nul_reset() before decoding. */
gboolean armz_xdr_string_nul_seen(void);
void armz_xdr_string_nul_reset(void);
