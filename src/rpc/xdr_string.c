#include <string.h>

#include "rpc/xdr_string.h"

static _Thread_local gboolean nul_seen;

bool_t
armz_xdr_string(XDR *xdrs, char **sp, u_int maxsize)
{
    u_int pos, size;

    if (xdrs->x_op != XDR_DECODE)
        return xdr_string(xdrs, sp, maxsize);
    /* The length on the wire, then the string C keeps of it. */
    pos = xdr_getpos(xdrs);
    if (!xdr_u_int(xdrs, &size) || !xdr_setpos(xdrs, pos))
        return FALSE;
    if (!xdr_string(xdrs, sp, maxsize))
        return FALSE;
    if (strlen(*sp) != size) {
        nul_seen = TRUE;
        return FALSE;   /* the caller's xdr_free releases *sp */
    }
    return TRUE;
}

gboolean
armz_xdr_string_nul_seen(void)
{
    return nul_seen;
}

void
armz_xdr_string_nul_reset(void)
{
    nul_seen = FALSE;
}
