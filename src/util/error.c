#include "util/error.h"

G_DEFINE_QUARK(armz-error-quark, armz_error)

