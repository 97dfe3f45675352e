/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harrier alerts: the store's alerts through filters (store_query.h), as
 * Falco's lines (text), a table, Falco's JSON or CSV. No match is not an
 * error: it says so on stderr and exits 0. Alert text is untrusted: it is
 * escaped for the terminal (text, table, CSV) or as JSON.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "sink/sink.h"
#include "sink/store_query.h"

enum format { FMT_TEXT, FMT_TABLE, FMT_JSON, FMT_CSV };

/* The table is for reading: long command lines and paths are cut (with
 * a ~); the other formats keep them whole. */
#define TABLE_CMD_MAX 60
#define TABLE_FILE_MAX 48

struct out {
	enum format fmt;
	struct sink *text; /* FMT_TEXT: Falco's line */
	bool colour;
	unsigned long rows;
};

static const char *const csv_header =
	"id,time,hostname,priority,rule,container_id,container_name,"
	"pod_namespace,pod_name,pid,ppid,uid,auid,exe,cmdline,syscall,file,"
	"audit_serial,tags,origin,output\n";

static void csv_id(struct strbuf *sb, int64_t v)
{
	if (v >= 0)
		strbuf_appendf(sb, "%lld", (long long)v);
	strbuf_appendc(sb, ',');
}

static void csv_row(struct strbuf *sb, const struct store_row *r)
{
	const struct alert *a = r->alert;
	struct strbuf tags = STRBUF_INIT;
	bool host = !a->container_id && a->pid >= 0;
	char t[40];
	size_t i;

	alert_format_time(a->time_ns, t, sizeof(t));
	strbuf_appendf(sb, "%lld,%s,", (long long)r->id, t);
	cli_csv_field(sb, a->hostname, true);
	cli_csv_field(sb, alert_priority_name(a->priority), true);
	cli_csv_field(sb, a->rule, true);
	cli_csv_field(sb, host ? "host" : a->container_id, true);
	cli_csv_field(sb, host ? "host" : a->container_name, true);
	cli_csv_field(sb, a->pod_namespace, true);
	cli_csv_field(sb, a->pod_name, true);
	csv_id(sb, a->pid);
	csv_id(sb, a->ppid);
	csv_id(sb, a->uid);
	csv_id(sb, a->auid);
	cli_csv_field(sb, a->exe, true);
	cli_csv_field(sb, a->cmdline, true);
	cli_csv_field(sb, a->syscall, true);
	cli_csv_field(sb, a->file, true);
	strbuf_appendf(sb, "%llu,", (unsigned long long)a->audit_serial);
	for (i = 0; i < a->ntags; i++) {
		if (i)
			strbuf_appendc(&tags, ' ');
		strbuf_appends(&tags, a->tags[i]);
	}
	cli_csv_field(sb, strbuf_str(&tags), true);
	strbuf_free(&tags);
	cli_csv_field(sb, r->origin, true);
	cli_csv_field(sb, a->output, false);
	strbuf_appendc(sb, '\n');
}

static void table_header(bool colour)
{
	(void)printf("%s%-8s %-19s %-13s %-32s %-14s %7s  %s%s\n",
		     colour ? CLI_COLOUR_BOLD : "", "ID", "TIME (UTC)",
		     "PRIORITY", "RULE", "CONTAINER", "PID", "COMMAND  FILE",
		     colour ? CLI_COLOUR_RESET : "");
}

static void table_row(struct strbuf *sb, const struct store_row *r,
		      bool colour)
{
	const struct alert *a = r->alert;
	char t[40], pid[24] = "-";
	const char *ctr;

	alert_format_time(a->time_ns, t, sizeof(t));
	t[10] = ' ';
	t[19] = '\0';
	if (a->pid >= 0)
		(void)snprintf(pid, sizeof(pid), "%lld", (long long)a->pid);
	ctr = a->container_name ? a->container_name :
	      a->container_id	? a->container_id :
	      a->pid >= 0	? "host" :
				  "-";
	strbuf_appendf(sb, "%-8lld %s %s", (long long)r->id, t,
		       cli_priority_colour(a->priority, colour));
	cli_pad(sb, alert_priority_name(a->priority), 13);
	if (colour)
		strbuf_appends(sb, CLI_COLOUR_RESET);
	strbuf_appendc(sb, ' ');
	cli_pad(sb, a->rule ? a->rule : "", 32);
	strbuf_appendc(sb, ' ');
	cli_pad(sb, ctr, 14);
	strbuf_appendf(sb, " %7s  ", pid);
	cli_cut(sb, a->cmdline ? a->cmdline : a->exe ? a->exe : "-",
		TABLE_CMD_MAX);
	if (a->file) {
		strbuf_appends(sb, "  ");
		cli_cut(sb, a->file, TABLE_FILE_MAX);
	}
	strbuf_appendc(sb, '\n');
}

static int print_row(const struct store_row *r, void *ud)
{
	struct out *o = ud;
	struct strbuf sb = STRBUF_INIT;
	char *json;
	int ret = 0;

	switch (o->fmt) {
	case FMT_TEXT:
		ret = sink_emit(o->text, r->alert);
		break;
	case FMT_JSON:
		/* Falco's document, with the store's id first: the handle
		 * for `harrier timeline ID` */
		json = alert_to_json(r->alert);
		if (!json)
			return -ENOMEM;
		strbuf_appendf(&sb, "{\"id\":%lld,", (long long)r->id);
		strbuf_appends(&sb, json + 1);
		strbuf_appendc(&sb, '\n');
		free(json);
		break;
	case FMT_CSV:
		if (o->rows == 0)
			strbuf_appends(&sb, csv_header);
		csv_row(&sb, r);
		break;
	case FMT_TABLE:
		if (o->rows == 0)
			table_header(o->colour);
		table_row(&sb, r, o->colour);
		break;
	}
	if (strbuf_failed(&sb))
		ret = -ENOMEM;
	else if (sb.len && fwrite(sb.buf, 1, sb.len, stdout) != sb.len)
		ret = -EIO;
	strbuf_free(&sb);
	o->rows++;
	return ret;
}

static int parse_format(const struct cli_command *cmd, const char *s,
			enum format *ret)
{
	static const char *const names[] = {
		[FMT_TEXT] = "text",
		[FMT_TABLE] = "table",
		[FMT_JSON] = "json",
		[FMT_CSV] = "csv",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*ret = (enum format)i;
			return 0;
		}
	}
	return cli_bad_usage(cmd, "--format '%s': expected text, table, json "
			     "or csv", s);
}

int cli_alert_filter_option(const struct cli_command *cmd, int c,
			    const char *arg, struct store_query *q)
{
	unsigned long v;

	switch (c) {
	case 's':
		q->since = arg;
		return 1;
	case 'u':
		q->until = arg;
		return 1;
	case 'r':
		q->rule = arg;
		return 1;
	case 'c':
		q->container = arg;
		return 1;
	case 'p':
		q->priority = arg;
		return 1;
	case 'P':
		q->pid = arg;
		return 1;
	case 'f':
		q->file = arg;
		return 1;
	case 'e':
		q->exe = arg;
		return 1;
	case 'o':
		q->pod = arg;
		return 1;
	case 'n':
		q->namespace = arg;
		return 1;
	case 'H':
		q->host = arg;
		return 1;
	case 't':
		q->tag = arg;
		return 1;
	case 'l':
		if (cli_parse_uint(cmd, "--limit", arg, 1, 100000000UL, &v) <
		    0)
			return -EINVAL;
		q->limit = (unsigned int)v;
		return 1;
	default:
		return 0;
	}
}

static int run(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		CLI_ALERT_FILTER_OPTIONS,
		{ "limit", required_argument, NULL, 'l' },
		{ "format", required_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		{ "sql", no_argument, NULL, 'S' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	struct store_query q = { .limit = 0 };
	struct out o = { .fmt = FMT_TEXT };
	const char *db = cli_default_db;
	bool sql = false;
	char *err = NULL, *text;
	int c, r;

	while ((c = cli_getopt(cmd, argc, argv, "d:l:F:jSh", opts)) != -1) {
		r = cli_alert_filter_option(cmd, c, optarg, &q);
		if (r < 0)
			return CLI_EXIT_BAD_INPUT;
		if (r > 0)
			continue;
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'F':
			if (parse_format(cmd, optarg, &o.fmt))
				return CLI_EXIT_BAD_INPUT;
			break;
		case 'j':
			o.fmt = FMT_JSON;
			break;
		case 'S':
			sql = true;
			break;
		case 'h':
			return CLI_EXIT_OK;
		default:
			return CLI_EXIT_BAD_INPUT;
		}
	}
	if (cli_no_more_args(cmd, argc, argv))
		return CLI_EXIT_BAD_INPUT;
	if (sql) {
		text = store_query_sql(&q, &err);
		if (!text) {
			log_error("%s", err ? err : "out of memory");
			free(err);
			return CLI_EXIT_BAD_INPUT;
		}
		(void)printf("%s\n", text);
		free(text);
		return CLI_EXIT_OK;
	}
	if (o.fmt == FMT_TEXT) {
		o.text = sink_stdout_new(stdout, false);
		if (!o.text)
			return CLI_EXIT_RUNTIME;
		/* stdio's buffer, not a write per alert */
		sink_stdout_set_batched(o.text, true);
	}
	/* only JSON shows the output fields; text and table no tags */
	q.no_fields = o.fmt != FMT_JSON;
	q.no_tags = o.fmt == FMT_TEXT || o.fmt == FMT_TABLE;
	q.line_only = o.fmt == FMT_TEXT;
	o.colour = cli_use_colour(stdout);
	r = store_query_rows(db, &q, print_row, &o, &err);
	sink_free(o.text);
	if (r < 0)
		return cli_store_error(db, r, err);
	if (r == 0) {
		if (o.fmt == FMT_CSV)
			(void)fputs(csv_header, stdout);
		(void)fprintf(stderr, "harrier alerts: no alerts match\n");
	}
	return CLI_EXIT_OK;
}

const struct cli_command cli_cmd_alerts = {
	.name = "alerts",
	.synopsis = "[--db PATH] " CLI_ALERT_FILTER_SYNOPSIS
		    " [--limit N] [--format text|table|json|csv] [--json] "
		    "[--sql]",
	.summary = "query the alert store",
	.help = CLI_ALERT_FILTER_HELP
	"  --limit N          the N most recent matches\n"
	"  --format F         text (Falco's lines; the default), table, json "
	"(Falco's\n"
	"                     JSON with the alert id, one per line) or csv\n"
	"  --json             --format json\n"
	"  --sql              print the query (values written in) instead of "
	"running it\n"
	"  --db PATH          the store (default: the daemon's)\n"
	"No match: a note on stderr and exit 0. Every filter is an index "
	"lookup, except\n"
	"a --file or --exe glob that starts with a wildcard.\n",
	.run = run,
};
