/* yajl tree -> yajl_gen (see json_gen.h). */
#include <string.h>
#include "util/json_gen.h"

yajl_gen_status
armz_json_gen_str(yajl_gen g, const char *s)
{
    return yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

void
armz_json_gen_value(yajl_gen g, yajl_val v)
{
    if (!v) {
        yajl_gen_null(g);
        return;
    }
    switch (v->type) {
    case yajl_t_string:
        armz_json_gen_str(g, v->u.string);
        break;
    case yajl_t_number:
        yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
        break;
    case yajl_t_object:
        yajl_gen_map_open(g);
        for (size_t i = 0; i < v->u.object.len; i++) {
            armz_json_gen_str(g, v->u.object.keys[i]);
            armz_json_gen_value(g, v->u.object.values[i]);
        }
        yajl_gen_map_close(g);
        break;
    case yajl_t_array:
        yajl_gen_array_open(g);
        for (size_t i = 0; i < v->u.array.len; i++)
            armz_json_gen_value(g, v->u.array.values[i]);
        yajl_gen_array_close(g);
        break;
    case yajl_t_true:
        yajl_gen_bool(g, 1);
        break;
    case yajl_t_false:
        yajl_gen_bool(g, 0);
        break;
    case yajl_t_null:
    case yajl_t_any:
    default:
        yajl_gen_null(g);
        break;
    }
}
