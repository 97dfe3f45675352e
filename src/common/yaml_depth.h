/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A first pass over YAML text that refuses excessive nesting before any
 * loader builds a document. libyaml's scanner does work proportional to
 * the nesting depth for every token (its stack of possible simple keys),
 * so a deeply nested flow collection costs time quadratic in its size
 * (200 KB of "[[[[": 27 s); this pass stops at the first node past the
 * limit, after work linear in the text before it.
 */
#ifndef HARRIER_YAML_DEPTH_H
#define HARRIER_YAML_DEPTH_H

#include <stddef.h>

#include "common/diag.h"

/* 0 when no node is nested deeper than max (or the text has a syntax
 * error: the loader reports those), -E2BIG with the 1-based line and
 * column of the first node too deep, -ENOMEM. */
int yaml_check_depth(const char *data, size_t len, unsigned int max,
		     unsigned int *ret_line, unsigned int *ret_col);

/* The check as the loaders use it: nesting past HARRIER_MAX_YAML_DEPTH
 * is an error in d at name:line:col. 0, -EINVAL (refused) or -ENOMEM. */
int yaml_refuse_deep(const char *name, const char *data, size_t len,
		     struct diag *d);

#endif
