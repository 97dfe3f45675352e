/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Engine-internal: the exceptions compiler. A rule's exceptions, as the
 * loader read them (rules.h), become Falco's condition text
 * "(condition) and not (...)" with a source map, so that a problem in an
 * exception value is reported at that value. Never reads YAML, never
 * prints.
 */
#ifndef HARRIER_EXCEPTIONS_H
#define HARRIER_EXCEPTIONS_H

#include <stdbool.h>

#include "engine/rules.h"

/* Is op a comparison an exception may use (Falco's operators)? */
bool exceptions_op_known(const char *op);
/* Does op take a list ("in", "intersects", "pmatch")? */
bool exceptions_op_is_list(const char *op);

/* r's condition with its exceptions applied, into *ret (cleared first):
 * r's condition alone when no exception has values. 0 or -ENOMEM. */
int exceptions_condition(const struct rules_rule *r, struct rules_text *ret);

#endif
