/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harrier: the command-line tool. Parses arguments and wires stages
 * (replay: file source -> pipeline -> stdout + store; alerts: store query
 * -> stdout sink). Exit codes: 0 success, 1 bad input, 2 runtime failure.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "common/diag.h"
#include "common/log.h"
#include "engine/engine.h"
#include "enrich/proctable.h"
#include "pipeline/pipeline.h"
#include "sink/sink.h"
#include "sink/store.h"
#include "sink/store_query.h"
#include "source/netlink.h"
#include "source/source.h"

#define EXIT_BAD_INPUT 1
#define EXIT_RUNTIME 2
#define MAX_RULE_FILES 64

static const char *default_db = HARRIER_LOCALSTATEDIR "/alerts.db";

static void usage(FILE *out)
{
	(void)fprintf(
		out,
		"usage: harrier COMMAND [OPTIONS]\n"
		"\n"
		"commands:\n"
		"  replay [--db PATH|--no-db] [--json] [-r RULES]... LOG...\n"
		"        evaluate audit logs (- = stdin) as the daemon would\n"
		"  alerts [--db PATH] [--since T] [--rule R] [--container C]\n"
		"         [--priority P] [--limit N] [--json]\n"
		"        query the alert store\n"
		"  rules validate FILE...   check rules files\n"
		"  rules list [-r RULES]... list the loaded rules\n"
		"  fields                   list the fields rules can use\n"
		"  status [--db PATH]       kernel audit and store status\n"
		"\n"
		"RULES default to %s/harrier_rules.yaml, harrier_rules.local.yaml\n"
		"and rules.d/*.yaml; the store defaults to %s.\n",
		HARRIER_SYSCONFDIR, default_db);
}

static int load_engine(const char *const *files, size_t nfiles,
		       struct engine **ret)
{
	struct diag d;
	int r;

	diag_init(&d);
	r = pipeline_engine_new(files, nfiles, HARRIER_SYSCONFDIR,
				ALERT_PRIO_DEBUG, &d, ret);
	diag_print(&d, stderr);
	diag_free(&d);
	if (r == -ENOMEM)
		log_error("out of memory");
	return r == 0 ? 0 : r == -ENOMEM ? EXIT_RUNTIME : EXIT_BAD_INPUT;
}

static int replay_file(struct pipeline *p, const char *path)
{
	struct source *src = source_file_new(path);
	char *err = NULL;
	int r;

	if (!src) {
		log_error("out of memory");
		return EXIT_RUNTIME;
	}
	r = source_start(src, &err);
	if (r < 0) {
		log_error("%s", err ? err : "cannot open log");
		free(err);
		source_free(src);
		return EXIT_BAD_INPUT;
	}
	while ((r = source_read(src, pipeline_record, p)) > 0)
		;
	if (r < 0) {
		log_error("reading %s: %s", path, strerror(-r));
		source_free(src);
		return EXIT_RUNTIME;
	}
	source_free(src);
	return 0;
}

static int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "no-db", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "rules", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *rules[MAX_RULE_FILES];
	size_t nrules = 0;
	const char *db = default_db;
	bool json = false, use_db = true, quiet = false;
	struct engine *e = NULL;
	struct pipeline *p = NULL;
	struct proctable *pt = NULL;
	struct sink *out = NULL, *store = NULL;
	struct pipeline_stats ps;
	struct sink_stats ss;
	char *err = NULL;
	int c, r, rc = 0;

	while ((c = getopt_long(argc, argv, "d:njr:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'n':
			use_db = false;
			break;
		case 'j':
			json = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'r':
			if (nrules == MAX_RULE_FILES) {
				log_error("too many -r files (at most %d)",
					  MAX_RULE_FILES);
				return EXIT_BAD_INPUT;
			}
			rules[nrules++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_BAD_INPUT;
		}
	}
	if (optind >= argc) {
		log_error("replay: no log file given (use - for stdin)");
		return EXIT_BAD_INPUT;
	}
	rc = load_engine(rules, nrules, &e);
	if (rc)
		return rc;
	pt = proctable_new_offline();
	p = pt ? pipeline_new(e, pt) : NULL;
	if (!p) {
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (!quiet) {
		out = sink_stdout_new(stdout, json);
		if (!out || pipeline_add_sink(p, out) < 0) {
			rc = EXIT_RUNTIME;
			goto out;
		}
	}
	if (use_db) {
		struct store_options so;

		/* Replay has no kernel to keep up with: wait for the writer
		 * rather than drop. */
		store_options_init(&so);
		so.enqueue_wait_ms = -1;
		if (store_sink_open(db, &so, &store, &err) < 0) {
			log_error("failed to open store %s: %s", db,
				  err ? err : "unknown error");
			free(err);
			rc = EXIT_RUNTIME;
			goto out;
		}
		(void)pipeline_add_sink(p, store);
	}
	for (; optind < argc; optind++) {
		r = replay_file(p, argv[optind]);
		if (r) {
			rc = r;
			break;
		}
	}
	pipeline_flush(p);
	pipeline_get_stats(p, &ps);
	log_info("replayed %llu records, %llu events, %llu alerts; "
		 "%llu malformed records skipped",
		 (unsigned long long)ps.records, (unsigned long long)ps.events,
		 (unsigned long long)ps.alerts,
		 (unsigned long long)ps.malformed);
	if (store) {
		sink_stats(store, &ss);
		if (ss.dropped) {
			log_error("store %s: %llu alerts could not be written",
				  db, (unsigned long long)ss.dropped);
			if (!rc)
				rc = EXIT_RUNTIME;
		}
	}
out:
	sink_free(store);
	sink_free(out);
	pipeline_free(p);
	proctable_free(pt);
	engine_free(e);
	return rc;
}

static int print_alert(const struct alert *a, void *ud)
{
	return sink_emit(ud, a);
}

static int cmd_alerts(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "since", required_argument, NULL, 's' },
		{ "rule", required_argument, NULL, 'r' },
		{ "container", required_argument, NULL, 'c' },
		{ "priority", required_argument, NULL, 'p' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_query q = { NULL, NULL, NULL, NULL, 0 };
	const char *db = default_db;
	bool json = false;
	struct sink *out;
	char *err = NULL, *end;
	unsigned long v;
	int c, r;

	while ((c = getopt_long(argc, argv, "d:s:r:c:p:l:jh", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 's':
			q.since = optarg;
			break;
		case 'r':
			q.rule = optarg;
			break;
		case 'c':
			q.container = optarg;
			break;
		case 'p':
			q.priority = optarg;
			break;
		case 'l':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || v > 100000000UL) {
				log_error("--limit: not a count: '%s'", optarg);
				return EXIT_BAD_INPUT;
			}
			q.limit = (unsigned int)v;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_BAD_INPUT;
		}
	}
	if (optind < argc) {
		log_error("alerts: unexpected argument '%s'", argv[optind]);
		return EXIT_BAD_INPUT;
	}
	out = sink_stdout_new(stdout, json);
	if (!out)
		return EXIT_RUNTIME;
	r = store_query_alerts(db, &q, print_alert, out, &err);
	sink_free(out);
	if (r < 0) {
		log_error("%s: %s", db, err ? err : strerror(-r));
		free(err);
		return r == -EINVAL ? EXIT_BAD_INPUT : EXIT_RUNTIME;
	}
	return 0;
}

static int cmd_rules_validate(int argc, char **argv)
{
	struct engine *e;
	struct diag d;
	int i, r;

	if (argc < 1) {
		log_error("rules validate: no file given");
		return EXIT_BAD_INPUT;
	}
	e = engine_new();
	if (!e)
		return EXIT_RUNTIME;
	diag_init(&d);
	r = pipeline_load_rules(e, (const char *const *)argv, (size_t)argc,
				HARRIER_SYSCONFDIR, &d);
	diag_print(&d, stderr);
	if (r == 0)
		for (i = 0; i < argc; i++)
			(void)printf("%s: Ok\n", argv[i]);
	else
		(void)printf("Invalid: %zu error(s)\n", d.nerrors);
	diag_free(&d);
	engine_free(e);
	return r == 0 ? 0 : EXIT_BAD_INPUT;
}

static void print_type(const char *type, void *ud)
{
	bool *first = ud;

	(void)printf("%s%s", *first ? "" : ",", type);
	*first = false;
}

static int cmd_rules_list(int argc, char **argv)
{
	const char *rules[MAX_RULE_FILES];
	struct engine_rule_info info;
	struct engine *e = NULL;
	size_t nrules = 0, i, n;
	int c, rc;

	optind = 1;
	while ((c = getopt(argc, argv, "r:h")) != -1) {
		switch (c) {
		case 'r':
			if (nrules == MAX_RULE_FILES)
				return EXIT_BAD_INPUT;
			rules[nrules++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_BAD_INPUT;
		}
	}
	rc = load_engine(rules, nrules, &e);
	if (rc)
		return rc;
	n = engine_rule_count(e);
	(void)printf("%-50s %-13s %-8s %s\n", "RULE", "PRIORITY", "ENABLED",
		     "SOURCE");
	for (i = 0; i < n; i++) {
		if (engine_rule_get(e, i, &info) < 0)
			continue;
		(void)printf("%-50s %-13s %-8s %s:%u\n", info.name,
			     alert_priority_name(info.priority),
			     info.enabled ? "yes" : "no",
			     info.file ? info.file : "-", info.line);
	}
	{
		bool first = true, any = false;

		(void)printf("\nevent types needed: ");
		engine_event_types(e, print_type, &first, &any);
		(void)printf("%s\n", any ? " (and every event: some rule has "
					   "no evt.type restriction)" :
					   "");
	}
	engine_free(e);
	return 0;
}

static int cmd_fields(void)
{
	size_t i, n = engine_field_count();

	for (i = 0; i < n; i++) {
		const struct engine_field_info *f = engine_field_get(i);

		(void)printf("%-24s %-8s %s\n", f->name, f->type, f->desc);
	}
	return 0;
}

/* The command name of pid, or "?" (the audit pid's holder). */
static void pid_comm(uint32_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	(void)snprintf(buf, len, "?");
	(void)snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	(void)close(fd);
	if (n <= 0) {
		(void)snprintf(buf, len, "?");
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

static int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct source_netlink_kstate k;
	struct store_summary sum;
	const char *db = default_db;
	char comm[64], *err = NULL;
	int c, r, rc = 0;
	unsigned int p;

	while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_BAD_INPUT;
		}
	}
	r = source_netlink_kernel_get(&k);
	if (r < 0) {
		(void)printf("kernel audit: unavailable (%s)\n",
			     r == -EPERM || r == -EACCES ?
				     "needs root" : strerror(-r));
		rc = EXIT_RUNTIME;
	} else {
		pid_comm(k.pid, comm, sizeof(comm));
		(void)printf("kernel audit: enabled %u%s, failure %u, "
			     "backlog %u/%u, lost %u\n",
			     k.enabled, k.enabled == 2 ? " (locked)" : "",
			     k.failure, k.backlog, k.backlog_limit, k.lost);
		if (k.pid)
			(void)printf("audit daemon: pid %u (%s)%s\n", k.pid,
				     comm,
				     strcmp(comm, "harrierd") == 0 ?
					     "" : "; harrierd, if running, "
						  "reads its multicast copy");
		else
			(void)printf("audit daemon: none (harrierd is not "
				     "running as the audit daemon)\n");
	}
	r = store_summary(db, &sum, &err);
	if (r < 0) {
		(void)printf("store %s: %s\n", db, err ? err : strerror(-r));
		free(err);
		return EXIT_RUNTIME;
	}
	(void)printf("store %s: %llu alerts%s%s\n", db,
		     (unsigned long long)sum.total,
		     sum.total ? ", newest " : "", sum.last_time);
	for (p = 0; p <= ALERT_PRIO_DEBUG; p++)
		if (sum.by_priority[p])
			(void)printf("  %-13s %llu\n",
				     alert_priority_name((enum alert_priority)p),
				     (unsigned long long)sum.by_priority[p]);
	return rc;
}

int main(int argc, char **argv)
{
	const char *cmd;

	log_set_program("harrier");
	if (argc < 2) {
		usage(stderr);
		return EXIT_BAD_INPUT;
	}
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "replay") == 0)
		return cmd_replay(argc - 1, argv + 1);
	if (strcmp(cmd, "alerts") == 0)
		return cmd_alerts(argc - 1, argv + 1);
	if (strcmp(cmd, "fields") == 0)
		return cmd_fields();
	if (strcmp(cmd, "status") == 0)
		return cmd_status(argc - 1, argv + 1);
	if (strcmp(cmd, "rules") == 0 && argc >= 3) {
		if (strcmp(argv[2], "validate") == 0)
			return cmd_rules_validate(argc - 3, argv + 3);
		if (strcmp(argv[2], "list") == 0)
			return cmd_rules_list(argc - 2, argv + 2);
	}
	log_error("unknown command '%s'", cmd);
	usage(stderr);
	return EXIT_BAD_INPUT;
}
