/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alert to JSON, for every sink that writes JSON. Built with strbuf (an
 * allocation failure is reported once by the caller through
 * strbuf_failed), never through a format string with untrusted text.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink/alert_json.h"

static void json_string_or_null(struct strbuf *sb, const char *s)
{
	if (!s) {
		strbuf_appends(sb, "null");
		return;
	}
	strbuf_appendc(sb, '"');
	strbuf_append_json(sb, s, strlen(s));
	strbuf_appendc(sb, '"');
}

static void append_field(struct strbuf *sb, const struct alert_field *f)
{
	json_string_or_null(sb, f->name ? f->name : "");
	strbuf_appendc(sb, ':');
	if (f->literal && f->value)
		strbuf_appends(sb, f->value);
	else
		json_string_or_null(sb, f->value);
}

void alert_json_append_tags(struct strbuf *sb, const struct alert *a)
{
	size_t i;

	strbuf_appendc(sb, '[');
	for (i = 0; i < a->ntags; i++) {
		if (i)
			strbuf_appendc(sb, ',');
		json_string_or_null(sb, a->tags[i]);
	}
	strbuf_appendc(sb, ']');
}

void alert_json_append_fields(struct strbuf *sb, const struct alert *a)
{
	size_t i;

	strbuf_appendc(sb, '{');
	for (i = 0; i < a->nfields; i++) {
		if (i)
			strbuf_appendc(sb, ',');
		append_field(sb, &a->fields[i]);
	}
	strbuf_appendc(sb, '}');
}

static bool has_field(const struct alert *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->nfields; i++)
		if (a->fields[i].name && strcmp(a->fields[i].name, name) == 0)
			return true;
	return false;
}

static bool is_internal(const struct alert *a)
{
	return a->source && strcmp(a->source, "internal") == 0;
}

void alert_json_append(struct strbuf *sb, const struct alert *a)
{
	struct strbuf line = STRBUF_INIT;
	char t[40], id[13];
	size_t i;

	alert_format_time(a->time_ns, t, sizeof(t));
	strbuf_appends(sb, "{\"hostname\":");
	json_string_or_null(sb, a->hostname);

	/* Falco's output string carries the time and priority too */
	strbuf_appends(&line, t);
	strbuf_appends(&line, ": ");
	strbuf_appends(&line, alert_priority_name(a->priority));
	strbuf_appendc(&line, ' ');
	if (a->output || a->rule)
		strbuf_appends(&line, a->output ? a->output : a->rule);
	if (strbuf_failed(&line))
		sb->failed = true;
	strbuf_appends(sb, ",\"output\":");
	json_string_or_null(sb, strbuf_str(&line));
	strbuf_free(&line);

	/* Falco always puts evt.time first, as an integer in ns; a rule that
	 * names %evt.time gets that, not a second, string-typed copy. */
	strbuf_appendf(sb, ",\"output_fields\":{\"evt.time\":%" PRIu64,
		       a->time_ns);
	for (i = 0; i < a->nfields; i++) {
		if (!a->fields[i].name ||
		    strcmp(a->fields[i].name, "evt.time") == 0)
			continue;
		strbuf_appendc(sb, ',');
		if (!a->container_id && !a->fields[i].value &&
		    strcmp(a->fields[i].name, "container.name") == 0 &&
		    !is_internal(a)) {
			/* Falco's container.name on the host */
			strbuf_appends(sb, "\"container.name\":\"host\"");
			continue;
		}
		append_field(sb, &a->fields[i]);
	}
	/* Falco appends the container fields to every rule's output (the
	 * container plugin's suggested output): receivers such as
	 * falcosidekick group by them. "host" outside containers. Internal
	 * alerts are about no process. */
	if (!is_internal(a)) {
		if (!has_field(a, "container.id")) {
			(void)snprintf(id, sizeof(id), "%s",
				       a->container_id ? a->container_id :
							 "host");
			strbuf_appends(sb, ",\"container.id\":");
			json_string_or_null(sb, id);
		}
		if (!has_field(a, "container.name")) {
			strbuf_appends(sb, ",\"container.name\":");
			json_string_or_null(sb,
					    !a->container_id ? "host" :
							       a->container_name);
		}
	}
	strbuf_appends(sb, "},\"priority\":");
	json_string_or_null(sb, alert_priority_name(a->priority));
	strbuf_appends(sb, ",\"rule\":");
	json_string_or_null(sb, a->rule);
	strbuf_appends(sb, ",\"source\":");
	json_string_or_null(sb, a->source);
	strbuf_appends(sb, ",\"tags\":");
	alert_json_append_tags(sb, a);
	strbuf_appends(sb, ",\"time\":\"");
	strbuf_appends(sb, t);
	strbuf_appends(sb, "\"}");
}

char *alert_to_json(const struct alert *a)
{
	struct strbuf sb = STRBUF_INIT;

	alert_json_append(&sb, a);
	if (strbuf_failed(&sb)) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_steal(&sb);
}
