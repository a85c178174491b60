/* Writing yajl trees back out with yajl_gen: shared by armz-vmm's QMP
 * server and the daemon's QMP client, so both speak the same JSON. Needs
 * only yajl (armz-vmm builds it without the rest of src/util). */
#pragma once
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

yajl_gen_status armz_json_gen_str(yajl_gen g, const char *s);
/* V (NULL: null) as JSON; the caller bounds the depth of V. */
void armz_json_gen_value(yajl_gen g, yajl_val v);
