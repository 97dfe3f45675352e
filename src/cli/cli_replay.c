/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harrier replay: audit logs through the daemon's pipeline (file source
 * -> assembler -> enricher -> engine -> stdout and the store), so a
 * recorded log raises exactly the alerts the daemon would have raised.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>

#include "assemble/assembler.h"
#include "cli/cli.h"
#include "common/log.h"
#include "engine/engine.h"
#include "enrich/proctable.h"
#include "pipeline/pipeline.h"
#include "sink/sink.h"
#include "sink/store.h"
#include "source/source.h"

/* Malformed lines of one log said with where and why, up to this many;
 * the rest counted at the end of the log. */
#define REPLAY_MALFORMED_SHOWN 10

struct replay_log {
	struct pipeline *p;
	struct source *src;
	const char *path;
	uint64_t malformed, overlong; /* said so far */
	uint64_t shown, unshown;
};

/* n malformed lines, the last at line: said (the others counted), or
 * counted past the first REPLAY_MALFORMED_SHOWN. */
static void malformed_note(struct replay_log *l, uint64_t n, uint64_t line,
			   const char *what, const char *why)
{
	if (l->shown == REPLAY_MALFORMED_SHOWN) {
		l->unshown += n;
		return;
	}
	l->unshown += n - 1;
	l->shown++;
	log_warning("%s:%llu: %s: %s", l->path, (unsigned long long)line, what,
		    why);
}

/* Lines dropped by the source for their length since the last look. */
static void check_overlong(struct replay_log *l)
{
	uint64_t line, n, at;

	source_file_position(l->src, &line, &n, &at);
	if (n == l->overlong)
		return;
	malformed_note(l, n - l->overlong, at,
		       n - l->overlong > 1 ? "lines skipped (the last here)" :
					     "line skipped",
		       ASSEMBLER_WHY_OVERLONG);
	l->overlong = n;
}

static int replay_record(const char *rec, size_t len, void *userdata)
{
	struct replay_log *l = userdata;
	uint64_t n, serial, line, o, ol;
	const char *why, *what = "record skipped";
	char event[96];
	int r;

	check_overlong(l);
	r = pipeline_record(rec, len, l->p);
	n = pipeline_malformed(l->p, &why, &serial);
	if (n != l->malformed && why) {
		source_file_position(l->src, &line, &o, &ol);
		if (serial) {
			(void)snprintf(event, sizeof(event),
				       "audit event %llu (completed by this "
				       "line) skipped",
				       (unsigned long long)serial);
			what = event;
		}
		malformed_note(l, n - l->malformed, line, what, why);
	}
	l->malformed = n;
	return r;
}

static int replay_file(struct pipeline *p, struct sink *store,
		       const char *path)
{
	struct replay_log l = { .p = p,
				.path = strcmp(path, "-") == 0 ? "stdin" :
								 path };
	const char *why;
	uint64_t serial;
	struct source *src = source_file_new(path);
	char *err = NULL, *abs;
	int r;

	if (!src) {
		log_error("out of memory");
		return CLI_EXIT_RUNTIME;
	}
	r = source_start(src, &err);
	if (r < 0) {
		log_error("%s", err ? err : "cannot open log");
		free(err);
		source_free(src);
		return CLI_EXIT_BAD_INPUT;
	}
	/* origin: the log the alerts came from, as a full path */
	if (store) {
		abs = strcmp(path, "-") == 0 ? NULL : realpath(path, NULL);
		r = store_sink_set_origin(store, strcmp(path, "-") == 0 ?
							 "stdin" :
						 abs ? abs : path);
		free(abs);
		if (r < 0) {
			log_error("out of memory");
			source_free(src);
			return CLI_EXIT_RUNTIME;
		}
	}
	l.src = src;
	l.malformed = pipeline_malformed(p, &why, &serial);
	while ((r = source_read(src, replay_record, &l)) > 0)
		;
	check_overlong(&l);
	if (l.unshown)
		log_warning("%s: %llu more malformed lines skipped", l.path,
			    (unsigned long long)l.unshown);
	if (r < 0) {
		log_error("reading %s: %s", path, strerror(-r));
		source_free(src);
		return CLI_EXIT_RUNTIME;
	}
	source_free(src);
	return 0;
}

static int run(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "no-db", no_argument, NULL, 'n' },
		{ "no-capture", no_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "rules", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	const char *rules[CLI_MAX_RULE_FILES];
	size_t nrules = 0;
	const char *db = NULL;
	bool json = false, capture = true, quiet = false;
	struct engine *e = NULL;
	struct pipeline *p = NULL;
	struct proctable *pt = NULL;
	struct sink *out = NULL, *store = NULL;
	struct pipeline_stats ps;
	struct sink_stats ss;
	struct store_context_stats cs;
	char *err = NULL;
	int c, r, rc = 0;

	while ((c = cli_getopt(cmd, argc, argv, "d:njr:qh", opts)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'n':
			db = NULL;
			break;
		case 'C':
			capture = false;
			break;
		case 'j':
			json = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'r':
			if (cli_add_rules_file(cmd, rules, &nrules, optarg))
				return CLI_EXIT_BAD_INPUT;
			break;
		case 'h':
			return CLI_EXIT_OK;
		default:
			return CLI_EXIT_BAD_INPUT;
		}
	}
	if (optind >= argc)
		return cli_bad_usage(cmd, "no log file given (use - for "
				     "stdin)");
	rc = cli_load_engine(rules, nrules, &e);
	if (rc)
		return rc;
	pt = proctable_new_offline();
	p = pt ? pipeline_new(e, pt) : NULL;
	if (!p) {
		rc = CLI_EXIT_RUNTIME;
		goto out;
	}
	if (!quiet) {
		out = sink_stdout_new(stdout, json);
		if (!out || pipeline_add_sink(p, out) < 0) {
			rc = CLI_EXIT_RUNTIME;
			goto out;
		}
	}
	/* Only the store --db names: a replay never mixes itself into the
	 * daemon's store unless asked to. */
	if (db) {
		struct store_options so;

		/* Replay has no kernel to keep up with: wait for the writer
		 * rather than drop. */
		store_options_init(&so);
		so.enqueue_wait_ms = -1;
		if (store_sink_open(db, &so, &store, &err) < 0) {
			log_error("failed to open store %s: %s", db,
				  err ? err : "unknown error");
			free(err);
			rc = CLI_EXIT_RUNTIME;
			goto out;
		}
		(void)pipeline_add_sink(p, store);
		/* the context the daemon would have captured */
		if (capture && pipeline_capture_into(p, store, NULL) < 0) {
			rc = CLI_EXIT_RUNTIME;
			goto out;
		}
	}
	for (; optind < argc; optind++) {
		r = replay_file(p, store, argv[optind]);
		if (r) {
			rc = r;
			break;
		}
	}
	pipeline_flush(p);
	pipeline_get_stats(p, &ps);
	log_info("replayed %llu records, %llu events, %llu alerts; "
		 "%llu malformed records skipped; %llu events closed early",
		 (unsigned long long)ps.records, (unsigned long long)ps.events,
		 (unsigned long long)ps.alerts,
		 (unsigned long long)ps.malformed,
		 (unsigned long long)ps.closed_early);
	if (store) {
		sink_stats(store, &ss);
		store_sink_context_stats(store, &cs);
		log_info("store %s: %llu alerts stored, %llu of them there "
			 "already; %llu context events",
			 db, (unsigned long long)(ss.written - cs.duplicates),
			 (unsigned long long)cs.duplicates,
			 (unsigned long long)cs.events_written);
		if (ss.dropped) {
			log_error("store %s: %llu alerts could not be written",
				  db, (unsigned long long)ss.dropped);
			if (!rc)
				rc = CLI_EXIT_RUNTIME;
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

const struct cli_command cli_cmd_replay = {
	.name = "replay",
	.synopsis = "[--db PATH] [--no-capture] [--json] [-q] [-r RULES]... "
		    "LOG...",
	.summary = "evaluate audit logs (- = stdin) as the daemon would",
	.help = "  LOG            audit.log files (rotated ones too), - for "
		"stdin\n"
		"  -r, --rules F  rules file (repeatable; default: the "
		"installed rules)\n"
		"  --db PATH      store the alerts, and the events around "
		"them, in this SQLite\n"
		"                 store (created if need be); without it "
		"nothing is stored\n"
		"  --no-capture   store no events around the alerts\n"
		"  --json         alerts in Falco's JSON, one per line\n"
		"  -q, --quiet    print no alerts (store only)\n"
		"Alerts carry their origin (the log's path) and the log's "
		"node= as hostname;\n"
		"replaying a log twice into one store stores each alert "
		"once.\n",
	.run = run,
};
