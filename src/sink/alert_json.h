/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one alert -> JSON writer: Falco's document (stdout --json, http,
 * file, program, journald's HARRIER_JSON) and the pieces the store keeps
 * in its columns (tags array, fields object). Untrusted text is JSON-
 * escaped (invalid UTF-8 becomes U+FFFD); numbers stay numbers.
 */
#ifndef HARRIER_ALERT_JSON_H
#define HARRIER_ALERT_JSON_H

#include "common/alert.h"
#include "common/strbuf.h"

/* Falco's JSON document: hostname, output ("TIME: Priority text"),
 * output_fields (evt.time first, as an integer; container.id and
 * container.name always, "host" outside containers, as Falco's
 * suggested output fields do), priority, rule, source, tags, time. */
void alert_json_append(struct strbuf *sb, const struct alert *a);
/* The same as a new string (no trailing newline), or NULL on ENOMEM. */
char *alert_to_json(const struct alert *a);

/* ["tag", ...] */
void alert_json_append_tags(struct strbuf *sb, const struct alert *a);
/* {"name": value, ...}: the fields the rule's output named, in order;
 * NULL values as null, literal ones bare. */
void alert_json_append_fields(struct strbuf *sb, const struct alert *a);

#endif
