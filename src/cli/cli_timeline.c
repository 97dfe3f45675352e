/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harrier timeline: what led to an alert and what followed, from the
 * events harrierd captured around it (or a container's events over a
 * time range): a process tree over time, one line per event (time, pid,
 * the command line as it ran or the file or address it touched),
 * indented by lineage, the alerting events marked. --json gives one JSON
 * object per event for tools. Event text is untrusted: escaped.
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "sink/store_query.h"

/* Deepest indentation shown; the walk up the parents stops there (and at
 * a loop that pid reuse could make). */
#define TIMELINE_MAX_DEPTH 16

struct tl_event {
	int64_t id;
	struct context_event *ev; /* owned copy */
	struct store_event_alert *alerts;
	char **rules;
	size_t nalerts;
	unsigned int depth;
};

struct timeline {
	struct tl_event *v;
	size_t n, cap;
	bool truncated;
};

static void tl_free(struct timeline *t)
{
	size_t i, j;

	for (i = 0; i < t->n; i++) {
		context_event_free(t->v[i].ev);
		for (j = 0; j < t->v[i].nalerts; j++)
			free(t->v[i].rules[j]);
		free(t->v[i].rules);
		free(t->v[i].alerts);
	}
	free(t->v);
}

static int collect(const struct store_event *se, void *ud)
{
	struct timeline *t = ud;
	struct tl_event *e, *p;
	size_t i;

	if (t->n == HARRIER_TIMELINE_MAX_EVENTS) {
		t->truncated = true;
		return -ECANCELED;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		p = realloc(t->v, t->cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		t->v = p;
	}
	e = &t->v[t->n];
	memset(e, 0, sizeof(*e));
	e->id = se->id;
	e->ev = context_event_dup(se->ev);
	if (!e->ev)
		return -ENOMEM;
	t->n++;
	if (!se->nalerts)
		return 0;
	e->alerts = calloc(se->nalerts, sizeof(*e->alerts));
	e->rules = calloc(se->nalerts, sizeof(*e->rules));
	if (!e->alerts || !e->rules)
		return -ENOMEM;
	for (i = 0; i < se->nalerts; i++) {
		e->alerts[i] = se->alerts[i];
		e->rules[i] = strdup(se->alerts[i].rule);
		if (!e->rules[i])
			return -ENOMEM;
		e->alerts[i].rule = e->rules[i];
		e->nalerts = i + 1;
	}
	return 0;
}

/* pid -> parent pid of the timeline's processes (the latest event of
 * each pid says), open addressing, for the indentation. */
struct pidmap {
	int64_t *pid, *ppid;
	size_t cap;
};

static size_t pm_slot(const struct pidmap *m, int64_t pid)
{
	size_t i = ((uint64_t)pid * 11400714819323198485ULL) % m->cap;

	while (m->pid[i] != -1 && m->pid[i] != pid)
		i = (i + 1) % m->cap;
	return i;
}

static int pm_build(struct pidmap *m, const struct timeline *t)
{
	size_t i, k;

	m->cap = 2 * t->n + 1;
	m->pid = malloc(m->cap * sizeof(*m->pid));
	m->ppid = malloc(m->cap * sizeof(*m->ppid));
	if (!m->pid || !m->ppid)
		return -ENOMEM;
	for (i = 0; i < m->cap; i++)
		m->pid[i] = -1;
	for (k = 0; k < t->n; k++) {
		if (t->v[k].ev->pid < 0)
			continue;
		i = pm_slot(m, t->v[k].ev->pid);
		m->pid[i] = t->v[k].ev->pid;
		m->ppid[i] = t->v[k].ev->ppid;
	}
	return 0;
}

/* Indentation by lineage: how many of a process's ancestors have events
 * in the timeline too. */
static void compute_depths(struct timeline *t)
{
	struct pidmap m = { NULL, NULL, 0 };
	int64_t pid, ppid;
	unsigned int d;
	size_t i, k;

	if (pm_build(&m, t) < 0)
		goto out; /* no indentation: still every event */
	for (k = 0; k < t->n; k++) {
		pid = t->v[k].ev->pid;
		ppid = t->v[k].ev->ppid;
		d = 0;
		while (d < TIMELINE_MAX_DEPTH && ppid > 0 && ppid != pid) {
			i = pm_slot(&m, ppid);
			if (m.pid[i] != ppid)
				break;
			d++;
			pid = ppid;
			ppid = m.ppid[i];
		}
		t->v[k].depth = d;
	}
out:
	free(m.pid);
	free(m.ppid);
}

static bool is_exec(const struct context_event *e)
{
	return e->syscall && (strcmp(e->syscall, "execve") == 0 ||
			      strcmp(e->syscall, "execveat") == 0);
}

/* What the event did: an exec's command line as it ran (its argv),
 * else "syscall file|address", and how a failed call ended. */
static void describe(struct strbuf *sb, const struct context_event *e)
{
	if (is_exec(e) && e->success != 0) {
		cli_escaped(sb, e->argv	     ? e->argv :
				e->cmdline ? e->cmdline :
				e->exe	   ? e->exe :
					     "?");
		return;
	}
	cli_escaped(sb, e->syscall ? e->syscall : "?");
	if (e->file || e->address) {
		strbuf_appendc(sb, ' ');
		cli_escaped(sb, e->file ? e->file : e->address);
	} else if (is_exec(e) && (e->cmdline || e->exe)) {
		strbuf_appendc(sb, ' ');
		cli_escaped(sb, e->cmdline ? e->cmdline : e->exe);
	}
	if (e->success == 0) {
		const char *name = NULL;

#ifdef HAVE_STRERRORNAME_NP
		if (e->exit < 0 && e->exit > -4096)
			name = strerrorname_np((int)-e->exit);
#endif
		if (name)
			strbuf_appendf(sb, " (failed: %s)", name);
		else
			strbuf_appendf(sb, " (failed: %lld)",
				       (long long)e->exit);
	}
}

static void print_header_alert(const struct store_row *r, bool colour)
{
	const struct alert *a = r->alert;
	struct strbuf sb = STRBUF_INIT;
	char t[40];

	cli_time_ms(a->time_ns, t, sizeof(t));
	strbuf_appendf(&sb, "%salert %lld%s  %s%s%s  ",
		       colour ? CLI_COLOUR_BOLD : "", (long long)r->id,
		       colour ? CLI_COLOUR_RESET : "",
		       cli_priority_colour(a->priority, colour),
		       alert_priority_name(a->priority),
		       colour ? CLI_COLOUR_RESET : "");
	cli_escaped(&sb, a->rule ? a->rule : "");
	strbuf_appendf(&sb, "  %s UTC\n  ", t);
	if (a->container_id) {
		strbuf_appends(&sb, "container ");
		cli_escaped(&sb, a->container_name ? a->container_name :
						     a->container_id);
	} else {
		strbuf_appends(&sb, "host");
	}
	if (a->pod_name) {
		strbuf_appends(&sb, ", pod ");
		cli_escaped(&sb, a->pod_namespace ? a->pod_namespace : "");
		strbuf_appendc(&sb, '/');
		cli_escaped(&sb, a->pod_name);
	}
	if (a->pid >= 0)
		strbuf_appendf(&sb, ", pid %lld", (long long)a->pid);
	if (a->cmdline || a->exe) {
		strbuf_appends(&sb, ": ");
		cli_escaped(&sb, a->cmdline ? a->cmdline : a->exe);
	}
	strbuf_appendc(&sb, '\n');
	(void)fputs(strbuf_str(&sb), stdout);
	strbuf_free(&sb);
}

static void print_capture(const struct store_capture *c, size_t shown)
{
	struct strbuf scope = STRBUF_INIT;
	char a[40], b[40];

	if (!c->found) {
		(void)printf("capture: none (%s)\n",
			     shown ? "its events belong to other captures" :
				     "the alert was below capture.min_priority "
				     "and its rule has no capture: true, or "
				     "capture was off");
		return;
	}
	cli_time_ms(c->from_ns, a, sizeof(a));
	cli_time_ms(c->until_ns, b, sizeof(b));
	/* the scope names a container as its runtime did */
	cli_escaped(&scope, c->scope);
	(void)printf("capture: %s, %s to %s", strbuf_str(&scope), a, b + 11);
	strbuf_free(&scope);
	if (c->alerts > 1)
		(void)printf("; shared with %llu other alert%s",
			     (unsigned long long)c->alerts - 1,
			     c->alerts == 2 ? "" : "s");
	if (c->running) {
		(void)printf("; running\n");
		return;
	}
	if (c->left_out)
		(void)printf("; %llu events left out "
			     "(capture.max_events_per_minute)",
			     (unsigned long long)c->left_out);
	(void)printf("\n");
}

/* What every program does as it starts: the dynamic loader's cache and
 * libraries, locale data. Shown as one count per run (--all: each). */
static bool routine_open(const struct context_event *e)
{
	static const char *const prefixes[] = {
		"/etc/ld.so.cache", "/usr/lib/locale/", "/usr/share/locale/",
		"/etc/locale.alias", /* usr/share/locale's, through a link */
		"/usr/lib/x86_64-linux-gnu/gconv/", "/usr/lib64/gconv/",
	};
	const char *f = e->file, *base;
	size_t i;

	if (!f || e->success != 1 || !e->syscall ||
	    strncmp(e->syscall, "open", 4) != 0)
		return false;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(f, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	base = strrchr(f, '/');
	base = base ? base + 1 : f;
	/* libc.so.6, libpcre2-8.so.0.11.2, ld-linux-x86-64.so.2 */
	return strstr(base, ".so.") ||
	       (strlen(base) > 3 && strcmp(base + strlen(base) - 3, ".so") ==
					    0);
}

static void flush_routine(struct strbuf *sb, unsigned int *n,
			  unsigned int indent, bool colour)
{
	unsigned int i;

	if (!*n)
		return;
	strbuf_appendf(sb, "%s%25s", colour ? CLI_COLOUR_DIM : "", "");
	for (i = 0; i < indent; i++)
		strbuf_appendc(sb, ' ');
	strbuf_appendf(sb, "(%u open%s of libraries and locale files)%s\n",
		       *n, *n == 1 ? "" : "s", colour ? CLI_COLOUR_RESET : "");
	*n = 0;
}

static void print_rows(const struct timeline *t, bool colour, bool all)
{
	struct strbuf sb = STRBUF_INIT;
	char tm[40], day[11] = "";
	const struct tl_event *e;
	unsigned int indent, i, routine = 0, rindent = 0;
	int64_t rpid = -1;
	size_t k, j;

	for (k = 0; k < t->n; k++) {
		e = &t->v[k];
		strbuf_reset(&sb);
		indent = 2 * e->depth + (is_exec(e->ev) ? 0 : 2);
		if (routine && (e->ev->pid != rpid || !routine_open(e->ev) ||
				e->nalerts))
			flush_routine(&sb, &routine, rindent, colour);
		cli_time_ms(e->ev->time_ns, tm, sizeof(tm));
		if (strncmp(day, tm, 10) != 0) {
			memcpy(day, tm, 10);
			strbuf_appendf(&sb, "%s-- %.10s%s\n",
				       colour ? CLI_COLOUR_DIM : "", tm,
				       colour ? CLI_COLOUR_RESET : "");
		}
		if (!all && !e->nalerts && routine_open(e->ev)) {
			routine++;
			rpid = e->ev->pid;
			rindent = indent;
			(void)fputs(strbuf_str(&sb), stdout);
			continue;
		}
		if (e->nalerts && colour)
			strbuf_appends(&sb, CLI_COLOUR_BOLD);
		strbuf_appendf(&sb, "%s %s %7lld  ", e->nalerts ? ">>" : "  ",
			       tm + 11, (long long)e->ev->pid);
		/* an exec starts a process line; what it did goes under */
		for (i = 0; i < indent; i++)
			strbuf_appendc(&sb, ' ');
		describe(&sb, e->ev);
		for (j = 0; j < e->nalerts; j++) {
			strbuf_appendf(&sb, "%s  <- %s%s: ",
				       j ? "\n" : "",
				       cli_priority_colour(e->alerts[j].priority,
							   colour),
				       alert_priority_name(
					       e->alerts[j].priority));
			cli_escaped(&sb, e->alerts[j].rule);
			strbuf_appendf(&sb, " (alert %lld)%s",
				       (long long)e->alerts[j].id,
				       colour ? CLI_COLOUR_RESET : "");
		}
		if (e->nalerts && colour)
			strbuf_appends(&sb, CLI_COLOUR_RESET);
		strbuf_appendc(&sb, '\n');
		(void)fputs(strbuf_str(&sb), stdout);
	}
	strbuf_reset(&sb);
	flush_routine(&sb, &routine, rindent, colour);
	(void)fputs(strbuf_str(&sb), stdout);
	strbuf_free(&sb);
}

static void put(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static struct json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *jid(int64_t v)
{
	return v >= 0 ? json_object_new_int64(v) : NULL;
}

static int print_json(const struct timeline *t)
{
	struct json_object *o, *arr, *a;
	const struct context_event *e;
	char tm[40];
	size_t k, j;

	for (k = 0; k < t->n; k++) {
		e = t->v[k].ev;
		o = json_object_new_object();
		if (!o)
			return -ENOMEM;
		alert_format_time(e->time_ns, tm, sizeof(tm));
		put(o, "id", json_object_new_int64(t->v[k].id));
		put(o, "time", jstr(tm));
		put(o, "time_ns", json_object_new_int64((int64_t)e->time_ns));
		put(o, "hostname", jstr(e->hostname));
		put(o, "audit_serial",
		    json_object_new_int64((int64_t)e->serial));
		put(o, "pid", jid(e->pid));
		put(o, "ppid", jid(e->ppid));
		put(o, "depth", json_object_new_int((int)t->v[k].depth));
		put(o, "syscall", jstr(e->syscall));
		put(o, "success", e->success < 0 ? NULL :
				  json_object_new_boolean(e->success));
		put(o, "exit", e->has_exit ? json_object_new_int64(e->exit) :
					     NULL);
		put(o, "uid", jid(e->uid));
		put(o, "auid", jid(e->auid));
		put(o, "ses", jid(e->ses));
		put(o, "exe", jstr(e->exe));
		put(o, "cmdline", jstr(e->cmdline));
		put(o, "argv", jstr(e->argv));
		put(o, "cwd", jstr(e->cwd));
		put(o, "file", jstr(e->file));
		put(o, "address", jstr(e->address));
		put(o, "container_id", jstr(e->container_id));
		put(o, "container_name", jstr(e->container_name));
		put(o, "pod_name", jstr(e->pod_name));
		put(o, "pod_namespace", jstr(e->pod_namespace));
		arr = json_object_new_array();
		for (j = 0; arr && j < t->v[k].nalerts; j++) {
			a = json_object_new_object();
			if (!a)
				break;
			put(a, "id", json_object_new_int64(
					     t->v[k].alerts[j].id));
			put(a, "rule", jstr(t->v[k].alerts[j].rule));
			put(a, "priority",
			    jstr(alert_priority_name(
				    t->v[k].alerts[j].priority)));
			(void)json_object_array_add(arr, a);
		}
		put(o, "alerts", arr);
		if (cli_print_json(o) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int copy_row(const struct store_row *r, void *ud)
{
	(void)ud;
	print_header_alert(r, cli_use_colour(stdout));
	return 0;
}

static int run(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "container", required_argument, NULL, 'c' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	struct store_timeline_query q = { .alert_id = 0 };
	struct store_query aq = { .limit = 0 };
	struct store_capture cap;
	struct timeline t = { NULL, 0, 0, false };
	const char *db = cli_default_db;
	unsigned long id;
	bool json = false, all = false, colour;
	char *err = NULL;
	int c, r, rc = CLI_EXIT_OK;

	while ((c = cli_getopt(cmd, argc, argv, "d:c:s:u:jah", opts)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'd':
			db = optarg;
			break;
		case 'c':
			q.container = optarg;
			break;
		case 's':
			q.since = optarg;
			break;
		case 'u':
			q.until = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			return CLI_EXIT_OK;
		default:
			return CLI_EXIT_BAD_INPUT;
		}
	}
	if (optind < argc) {
		if (cli_parse_uint(cmd, "ALERT_ID", argv[optind], 1,
				   (unsigned long)INT64_MAX, &id) < 0)
			return CLI_EXIT_BAD_INPUT;
		q.alert_id = (int64_t)id;
		optind++;
	}
	if (cli_no_more_args(cmd, argc, argv))
		return CLI_EXIT_BAD_INPUT;
	if (q.alert_id && q.container)
		return cli_bad_usage(cmd, "an alert id or --container, not "
				     "both");
	if (!q.alert_id && !q.container)
		return cli_bad_usage(cmd, "which alert? (harrier alerts "
				     "--format table shows their ids), or "
				     "--container ID|NAME|host");
	r = store_timeline(db, &q, &cap, collect, &t, &err);
	if (r < 0 && !(r == -ECANCELED && t.truncated)) {
		tl_free(&t);
		if (r == -ENOENT) {
			log_error("%s", err ? err : "no such alert");
			free(err);
			return CLI_EXIT_BAD_INPUT;
		}
		return cli_store_error(db, r, err);
	}
	free(err);
	err = NULL;
	compute_depths(&t);
	colour = cli_use_colour(stdout);
	if (json) {
		if (print_json(&t) < 0)
			rc = CLI_EXIT_RUNTIME;
	} else {
		if (q.alert_id) {
			aq.id = q.alert_id;
			r = store_query_rows(db, &aq, copy_row, NULL, &err);
			if (r < 0) {
				tl_free(&t);
				return cli_store_error(db, r, err);
			}
			print_capture(&cap, t.n);
		}
		if (t.n)
			(void)printf("\n%s   %-12s %7s  %s%s\n",
				     colour ? CLI_COLOUR_BOLD : "",
				     "TIME (UTC)", "PID",
				     "COMMAND LINE / FILE OR ADDRESS",
				     colour ? CLI_COLOUR_RESET : "");
		print_rows(&t, colour, all);
	}
	if (t.truncated)
		log_warning("only the first %d events are shown",
			    HARRIER_TIMELINE_MAX_EVENTS);
	if (!t.n)
		(void)fprintf(stderr, "harrier timeline: no events%s\n",
			      q.alert_id ? " were captured for this alert" :
					   " match");
	tl_free(&t);
	return rc;
}

const struct cli_command cli_cmd_timeline = {
	.name = "timeline",
	.synopsis = "[--db PATH] [--all] [--json] (ALERT_ID | --container C "
		    "[--since T] [--until T])",
	.summary = "what led to an alert and what followed, as a process "
		   "tree",
	.help = "  ALERT_ID           the alert (its id in harrier alerts "
		"--format table, json)\n"
		"  --container C      instead: a container's captured events "
		"(id prefix, name,\n"
		"                     or host), from --since to --until (times "
		"as harrier alerts)\n"
		"  --all              every event: also each open of a "
		"library or locale file\n"
		"                     (shown as one count per run by default)\n"
		"  --json             one JSON object per event (time, pid, "
		"ppid, depth, syscall,\n"
		"                     cmdline, file, address, ...; alerts: "
		"[{id, rule,\n"
		"                     priority}])\n"
		"  --db PATH          the store (default: the daemon's)\n"
		"Lines marked >> raised an alert; indentation follows the "
		"process lineage.\n",
	.run = run,
};
