/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harrier report: aureport's idea for alerts. Counts by rule, priority,
 * container, pod, executable and host over the alerts the filters select
 * (a time range, usually), as text or JSON.
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/strbuf.h"
#include "sink/store_query.h"

#define NDIMS (STORE_BY_HOST + 1)

static const struct {
	const char *title, *json, *none;
} dims[NDIMS] = {
	[STORE_BY_RULE] = { "rule", "by_rule", "(none)" },
	[STORE_BY_PRIORITY] = { "priority", "by_priority", "(none)" },
	[STORE_BY_CONTAINER] = { "container", "by_container",
				 "(no container: internal)" },
	[STORE_BY_POD] = { "pod", "by_pod", "(no pod)" },
	[STORE_BY_EXE] = { "executable", "by_exe", "(no executable)" },
	[STORE_BY_HOST] = { "host", "by_host", "(unknown)" },
};

struct report {
	unsigned long top; /* 0 = all */
	struct json_object *arr[NDIMS]; /* JSON */
	struct strbuf text[NDIMS];	 /* text */
	unsigned long n[NDIMS];
	bool json;
};

static int add(enum store_report_by by, const char *key, uint64_t count,
	       void *ud)
{
	struct report *r = ud;
	struct json_object *o;

	if (r->top && r->n[by] >= r->top)
		return 0;
	r->n[by]++;
	if (r->json) {
		o = json_object_new_object();
		if (!o)
			return -ENOMEM;
		json_object_object_add(o, "key", key ? json_object_new_string(
							       key) :
						       NULL);
		json_object_object_add(o, "count",
				       json_object_new_int64((int64_t)count));
		return json_object_array_add(r->arr[by], o) < 0 ? -ENOMEM : 0;
	}
	strbuf_appendf(&r->text[by], "  %8llu  ", (unsigned long long)count);
	cli_escaped(&r->text[by], key ? key : dims[by].none);
	strbuf_appendc(&r->text[by], '\n');
	return strbuf_failed(&r->text[by]) ? -ENOMEM : 0;
}

static void print_text(struct report *r, const struct store_report *rep,
		       bool colour)
{
	char a[40], b[40];
	unsigned int i;

	if (!rep->total) {
		(void)printf("no alerts\n");
		return;
	}
	cli_time_ms(rep->first_ns, a, sizeof(a));
	cli_time_ms(rep->last_ns, b, sizeof(b));
	(void)printf("%llu alerts from %s to %s (UTC)\n",
		     (unsigned long long)rep->total, a, b);
	for (i = 0; i < NDIMS; i++) {
		(void)printf("\n%sBy %s%s\n", colour ? CLI_COLOUR_BOLD : "",
			     dims[i].title, colour ? CLI_COLOUR_RESET : "");
		(void)fputs(strbuf_str(&r->text[i]), stdout);
	}
}

static int print_json(struct report *r, const struct store_report *rep)
{
	struct json_object *doc = json_object_new_object();
	char t[40];
	unsigned int i;

	if (!doc)
		return -ENOMEM;
	json_object_object_add(doc, "total",
			       json_object_new_int64((int64_t)rep->total));
	alert_format_time(rep->first_ns, t, sizeof(t));
	json_object_object_add(doc, "first", rep->total ?
						     json_object_new_string(t) :
						     NULL);
	alert_format_time(rep->last_ns, t, sizeof(t));
	json_object_object_add(doc, "last", rep->total ?
						    json_object_new_string(t) :
						    NULL);
	for (i = 0; i < NDIMS; i++) {
		json_object_object_add(doc, dims[i].json, r->arr[i]);
		r->arr[i] = NULL;
	}
	return cli_print_json(doc);
}

static int run(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		CLI_ALERT_FILTER_OPTIONS,
		{ "top", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	struct store_query q = { .limit = 0 };
	struct store_report rep;
	struct report r;
	const char *db = cli_default_db;
	char *err = NULL;
	unsigned int i;
	int c, rc = CLI_EXIT_OK, x;

	memset(&r, 0, sizeof(r));
	while ((c = cli_getopt(cmd, argc, argv, "d:T:jh", opts)) != -1) {
		x = cli_alert_filter_option(cmd, c, optarg, &q);
		if (x < 0)
			return CLI_EXIT_BAD_INPUT;
		if (x > 0)
			continue;
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'T':
			if (cli_parse_uint(cmd, "--top", optarg, 1, 1000000,
					   &r.top) < 0)
				return CLI_EXIT_BAD_INPUT;
			break;
		case 'j':
			r.json = true;
			break;
		case 'h':
			return CLI_EXIT_OK;
		default:
			return CLI_EXIT_BAD_INPUT;
		}
	}
	if (cli_no_more_args(cmd, argc, argv))
		return CLI_EXIT_BAD_INPUT;
	for (i = 0; i < NDIMS; i++) {
		strbuf_init(&r.text[i]);
		if (r.json && !(r.arr[i] = json_object_new_array()))
			rc = CLI_EXIT_RUNTIME;
	}
	if (rc == CLI_EXIT_OK) {
		x = store_report(db, &q, &rep, add, &r, &err);
		if (x < 0)
			rc = cli_store_error(db, x, err);
		else if (r.json)
			rc = print_json(&r, &rep) < 0 ? CLI_EXIT_RUNTIME :
							CLI_EXIT_OK;
		else
			print_text(&r, &rep, cli_use_colour(stdout));
	}
	for (i = 0; i < NDIMS; i++) {
		json_object_put(r.arr[i]);
		strbuf_free(&r.text[i]);
	}
	return rc;
}

const struct cli_command cli_cmd_report = {
	.name = "report",
	.synopsis = "[--db PATH] " CLI_ALERT_FILTER_SYNOPSIS
		    " [--top N] [--json]",
	.summary = "alert counts by rule, priority, container, pod, exe, "
		   "host",
	.help = CLI_ALERT_FILTER_HELP
	"  --top N            the N largest counts of each kind\n"
	"  --json             {total, first, last, by_rule, by_priority, "
	"by_container,\n"
	"                     by_pod, by_exe, by_host: [{key, count}]}\n"
	"  --db PATH          the store (default: the daemon's)\n",
	.run = run,
};
