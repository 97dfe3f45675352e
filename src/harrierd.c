/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harrierd: parses arguments and config, wires source -> pipeline -> sinks
 * and runs the event loop (source fd, signals, timers). The netlink reader
 * has its own thread inside the source; the store and the outputs with a
 * receiver have theirs: this loop never waits for a disk or a network.
 * SIGTERM/SIGINT/SIGQUIT stop, SIGHUP reloads (config and rules are read
 * and compiled on a thread of their own while the running rules keep
 * matching), SIGUSR1 logs the counters, SIGUSR2 reopens output files.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "common/harrier_config.h"
#include "common/diag.h"
#include "common/log.h"
#include "common/resolver.h"
#include "engine/engine.h"
#include "kaudit/kaudit.h"
#include "kaudit/kstatus.h"
#include "enrich/proctable.h"
#include "common/safe_path.h"
#include "pipeline/capture.h"
#include "pipeline/lost.h"
#include "pipeline/outlimit.h"
#include "pipeline/pipeline.h"
#include "sink/fileout.h"
#include "sink/http.h"
#include "sink/journald.h"
#include "sink/sink.h"
#include "sink/store.h"
#include "source/netlink.h"
#include "source/source.h"
#include "source/stdin.h"

#define EXIT_BAD_INPUT 1
#define EXIT_RUNTIME 2
#define MAX_RULE_FILES 64
/* Event loop tick: idle events are completed (auparse ageing) at least
 * this often, which bounds the alert latency of the last event. */
#define TICK_MS 100
/* Kernel counters, tamper check and watchdog run every this many ticks. */
#define HOUSEKEEPING_TICKS 10

/* What daemon mode changed in the kernel (enabled flag, backlog limit) is
 * written here at start and removed at a clean stop. After kill -9 the
 * kernel frees the audit pid but keeps the crashed run's settings; the
 * next run finds this file and restores the values from before the
 * crashed run. /run is a tmpfs: like the kernel's state, it does not
 * survive a reboot. */
#ifndef HARRIER_RUNSTATEDIR
#define HARRIER_RUNSTATEDIR "/run/harrier"
#endif
#define KSTATE_FILE HARRIER_RUNSTATEDIR "/kernel-state"

static const char *default_config = HARRIER_SYSCONFDIR "/harrier.yaml";

/* The daemon's state: the one named global (Redis's `server`). */
static struct {
	/* from the command line */
	const char *config_path;
	bool config_explicit;
	const char *rule_files[MAX_RULE_FILES];
	size_t nrule_files;
	const char *opt_audit_rules, *opt_db, *opt_source;
	bool opt_json, opt_no_kernel_rules, foreground;

	struct config *config;
	struct engine *engine;
	struct proctable *proctable;
	struct pipeline *pipeline;
	struct source *source;
	bool source_is_netlink;
	struct kaudit *kaudit;
	struct sink *out, *journal, *store, *http, *file, *program;
	struct outlimit *limit;
	uint64_t last_summary_ms;
	/* stdout is the journal (systemd's JOURNAL_STREAM): alerts reach it
	 * through journald_output, not a second time through stdout */
	bool stdout_is_journal;

	/* SIGHUP: config and rules are loaded on reload_thread; the loop
	 * applies them when reload_fd fires */
	pthread_t reload_thread;
	bool reload_running, reload_again;
	int reload_fd;
	struct config *reload_config;
	struct engine *reload_engine;

	struct lost lost; /* kernel lost + queue drops, for the alert */
	bool under_systemd;
	uint64_t ticks;
} server;

static void usage(FILE *out)
{
	(void)fprintf(out,
		      "usage: harrierd [-c FILE] [-r RULES]... [--audit-rules DIR]"
		      " [--db PATH]\n"
		      "                [--json] [--source netlink|stdin|FILE]"
		      " [-f] [--no-kernel-rules]\n"
		      "\n"
		      "  -c FILE             config (default %s)\n"
		      "  -r FILE             rules file (repeatable; replaces "
		      "the config's rules_file)\n"
		      "  --audit-rules DIR   kernel audit rules to install\n"
		      "  --db PATH           alert store\n"
		      "  --json              alerts on stdout in Falco's JSON\n"
		      "  --source SRC        netlink (live), stdin (auditd "
		      "plugin) or an audit.log\n"
		      "  -f                  foreground, log to stderr\n"
		      "  --no-kernel-rules   install no kernel audit rules\n"
		      "  --version           print the versions and exit\n"
		      "\nconfig keys:\n",
		      default_config);
	config_print_keys(out);
}

static int parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "rules", required_argument, NULL, 'r' },
		{ "audit-rules", required_argument, NULL, 'A' },
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "source", required_argument, NULL, 's' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "no-kernel-rules", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	server.config_path = default_config;
	while ((c = getopt_long(argc, argv, "c:r:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			server.config_path = optarg;
			server.config_explicit = true;
			break;
		case 'r':
			if (server.nrule_files == MAX_RULE_FILES) {
				log_error("too many -r files (at most %d)",
					  MAX_RULE_FILES);
				return -EINVAL;
			}
			server.rule_files[server.nrule_files++] = optarg;
			break;
		case 'A':
			server.opt_audit_rules = optarg;
			break;
		case 'd':
			server.opt_db = optarg;
			break;
		case 'j':
			server.opt_json = true;
			break;
		case 's':
			server.opt_source = optarg;
			break;
		case 'f':
			server.foreground = true;
			break;
		case 'K':
			server.opt_no_kernel_rules = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			pipeline_print_version(stdout, "harrierd");
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* Config file over defaults, then the command line over both. A missing
 * default config is fine; a missing -c file is not. */
static struct config *load_config(void)
{
	struct config *c = config_new();
	struct diag d;
	int r = 0;

	if (!c)
		return NULL;
	diag_init(&d);
	if (server.config_explicit || access(server.config_path, F_OK) == 0) {
		char *why = NULL;

		/* what harrierd watches for is root's to decide */
		r = safe_path_check_file(server.config_path, &why);
		if (r < 0) {
			diag_add(&d, DIAG_ERROR, server.config_path, 0, 0,
				 "refusing it: %s", why ? why : strerror(-r));
			free(why);
		} else {
			r = config_load(c, server.config_path, &d);
		}
	}

	log_diag(&d);
	diag_free(&d);
	if (r < 0) {
		config_free(c);
		return NULL;
	}
	if (server.opt_db) {
		free(c->store_path);
		c->store_path = strdup(server.opt_db);
	}
	if (server.opt_audit_rules) {
		free(c->audit_rules_dir);
		c->audit_rules_dir = strdup(server.opt_audit_rules);
	}
	if (server.opt_source) {
		free(c->source);
		c->source = strdup(server.opt_source);
	}
	if (server.opt_json)
		c->json_output = true;
	if (server.opt_no_kernel_rules)
		c->kernel_rules = false;
	if (!c->store_path || !c->audit_rules_dir || !c->source) {
		config_free(c);
		return NULL;
	}
	return c;
}

/* The capture.* keys as the capture takes them. */
static void config_capture(const struct config *c, struct capture_options *o)
{
	capture_options_init(o);
	o->min_priority = c->capture_min_priority;
	o->before_ns = (uint64_t)c->capture_before_ms * 1000000ULL;
	o->duration_ns = (uint64_t)c->capture_duration_ms * 1000000ULL;
	o->max_bytes = (size_t)c->capture_max_memory_mb << 20;
	o->max_per_minute = c->capture_max_events_per_minute;
}

static struct engine *load_engine(const struct config *c)
{
	struct engine *e = NULL;
	struct diag d;
	int r;

	diag_init(&d);
	if (server.nrule_files)
		r = pipeline_engine_new_checked(
			server.rule_files, server.nrule_files,
			HARRIER_SYSCONFDIR, c->min_priority, c->rules_strict,
			safe_path_check_file, &d, &e);
	else
		r = pipeline_engine_new_checked(
			(const char *const *)c->rules_files, c->nrules_files,
			HARRIER_SYSCONFDIR, c->min_priority, c->rules_strict,
			safe_path_check_file, &d, &e);
	log_diag(&d);
	diag_free(&d);
	if (r < 0)
		return NULL;
	log_info("loaded %zu rules", engine_rule_count(e));
	/* Domain names in the rules (fd.sip.name = NAME): resolved in the
	 * background, never while an event waits. */
	if (resolver_start(HARRIER_RESOLVER_REFRESH_S) < 0)
		log_warning("cannot start the name resolver: fd.*.name "
			    "compares by text only");
	return e;
}

static void check_lost(void)
{
	struct source_stats ss;
	struct kaudit_status ks;
	struct lost_counts c;
	struct timespec now;
	char msg[LOST_MSG_MAX];
	struct alert *a;

	source_stats(server.source, &ss);
	memset(&c, 0, sizeof(c));
	c.queue_dropped = ss.dropped;
	c.kernel_known = server.source_is_netlink &&
			 kaudit_status_get(&ks) == 0;
	if (c.kernel_known) {
		c.kernel_lost = ks.lost;
		c.kernel_backlog = ks.backlog;
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	if (lost_check(&server.lost, &c, (int64_t)now.tv_sec, msg,
		       sizeof(msg)) <= 0)
		return;
	log_warning("%s", msg);
	a = alert_new_internal(ALERT_PRIO_CRITICAL, LOST_ALERT_RULE, msg);
	if (a)
		pipeline_emit(server.pipeline, a);
}

/* --- outputs --- */

/* Outputs a reload replaced: freed (flushed first) on a thread of their
 * own, so a slow receiver never holds up the event loop; joined at stop. */
#define MAX_RETIRED 16
static struct {
	pthread_t thread[MAX_RETIRED];
	size_t n;
} retired;

static void *retire_worker(void *arg)
{
	struct sink *s = arg;
	struct sink_stats st;

	sink_flush(s);
	sink_stats(s, &st);
	if (st.dropped)
		log_warning("%s output (before the reload): %llu alerts not "
			    "delivered", sink_name(s),
			    (unsigned long long)st.dropped);
	sink_free(s);
	return NULL;
}

static void retire_sink(struct sink **sp)
{
	struct sink *s = *sp;

	*sp = NULL;
	if (!s)
		return;
	(void)pipeline_remove_sink(server.pipeline, s);
	if (retired.n < MAX_RETIRED &&
	    pthread_create(&retired.thread[retired.n], NULL, retire_worker,
			   s) == 0) {
		retired.n++;
		return;
	}
	retire_worker(s);
}

static void join_retired(void)
{
	size_t i;

	for (i = 0; i < retired.n; i++)
		(void)pthread_join(retired.thread[i], NULL);
	retired.n = 0;
}

/* Under systemd with StandardOutput=journal, stdout is a journal stream
 * ($JOURNAL_STREAM names its device and inode): alerts printed there
 * would land in the journal a second time, as plain MESSAGEs without
 * their fields, beside journald_output's entries. */
static bool stdout_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDOUT_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

static bool want_stdout(const struct config *c)
{
	return c->stdout_output &&
	       !(server.stdout_is_journal && c->journald_output);
}

static struct sink *make_http(const struct config *c, char **ret_err)
{
	struct http_options o;

	memset(&o, 0, sizeof(o));
	o.url = c->http_url;
	o.user_agent = c->http_user_agent;
	o.insecure = c->http_insecure;
	o.ca_cert = c->http_ca_cert;
	o.ca_bundle = c->http_ca_bundle;
	o.ca_path = c->http_ca_path;
	o.mtls = c->http_mtls;
	o.client_cert = c->http_client_cert;
	o.client_key = c->http_client_key;
	o.echo = c->http_echo;
	o.compress_uploads = c->http_compress;
	o.keep_alive = c->http_keep_alive;
	o.max_consecutive_timeouts = c->http_max_timeouts;
	o.timeout_ms = c->http_timeout_ms;
	o.max_batch = c->http_max_batch;
	o.queue_max = c->http_queue_max;
	return http_sink_new(&o, ret_err);
}

/* One output: old is what runs (NULL at start), c the config it should
 * follow. Replaced only when its part of the config changed; an output
 * that cannot be built keeps the old one (at a reload) or fails the
 * start. */
static int apply_output(struct sink **sp, const struct config *old,
			const struct config *c, const char *section,
			bool enabled, struct sink *(*make)(const struct config *,
							   char **))
{
	int n = (int)strcspn(section, "."); /* "http_output." -> name */
	struct sink *s;
	char *err = NULL;

	if (*sp && old && config_section_equal(old, c, section) && enabled)
		return 0;
	if (!enabled) {
		if (*sp)
			log_info("%.*s off", n, section);
		retire_sink(sp);
		return 0;
	}
	s = make(c, &err);
	if (!s) {
		log_error("%.*s: %s%s", n, section,
			  err ? err : "out of memory",
			  *sp ? "; the running output stays" : "");
		free(err);
		return -EINVAL;
	}
	if (*sp)
		log_info("%.*s restarted with its new settings", n, section);
	else if (old)
		log_info("%.*s on", n, section);
	retire_sink(sp);
	*sp = s;
	(void)pipeline_add_sink(server.pipeline, s);
	return 0;
}

static struct sink *make_file(const struct config *c, char **ret_err)
{
	return file_sink_new(c->file_name, c->file_keep_alive, ret_err);
}

static struct sink *make_program(const struct config *c, char **ret_err)
{
	return program_sink_new(c->program, c->program_keep_alive,
				c->json_output, ret_err);
}

static struct sink *make_journald(const struct config *c, char **ret_err)
{
	(void)c;
	(void)ret_err;
	return sink_journald_new("harrierd");
}

static struct sink *make_stdout(const struct config *c, char **ret_err)
{
	struct sink *s = sink_stdout_new(stdout, c->json_output);

	(void)ret_err;
	/* One write per pass of the event loop, not per alert. */
	if (s)
		sink_stdout_set_batched(s, true);
	return s;
}

/* Every notification output as c says; old NULL at start. */
static int apply_outputs(const struct config *old, const struct config *c)
{
	int r = 0;
	bool stdout_same = old && want_stdout(old) == want_stdout(c) &&
			   old->json_output == c->json_output;

	if (!stdout_same || !want_stdout(c))
		r |= apply_output(&server.out, NULL, c, "stdout_output",
				  want_stdout(c), make_stdout);
	if (!old || old->journald_output != c->journald_output)
		r |= apply_output(&server.journal, NULL, c, "journald_output",
				  c->journald_output, make_journald);
	r |= apply_output(&server.http, old, c, "http_output.",
			  c->http_output, make_http);
	r |= apply_output(&server.file, old, c, "file_output.",
			  c->file_output, make_file);
	/* the program's line format follows json_output too */
	if (old && old->json_output != c->json_output && server.program)
		retire_sink(&server.program);
	r |= apply_output(&server.program, server.program ? old : NULL, c,
			  "program_output.", c->program_output, make_program);
	return r ? -EINVAL : 0;
}

/* --- reload: loaded off the event path, applied between events --- */

static void *reload_worker(void *arg)
{
	uint64_t one = 1;

	(void)arg;
	server.reload_engine = NULL;
	server.reload_config = load_config();
	if (server.reload_config)
		server.reload_engine = load_engine(server.reload_config);
	if (write(server.reload_fd, &one, sizeof(one)) != sizeof(one))
		log_error("reload: cannot wake the event loop");
	return NULL;
}

static void reload_start(void)
{
	int r;

	if (server.reload_running) {
		log_info("reload requested while one runs: another follows it");
		server.reload_again = true;
		return;
	}
	log_info("reloading config and rules");
	if (server.under_systemd)
		(void)sd_notify(0, "RELOADING=1");
	r = pthread_create(&server.reload_thread, NULL, reload_worker, NULL);
	if (r != 0) {
		log_error("reload: cannot start the loader thread: %s",
			  strerror(r));
		if (server.under_systemd)
			(void)sd_notify(0, "READY=1");
		return;
	}
	server.reload_running = true;
}

static void apply_reload(struct config *c, struct engine *e)
{
	struct diag d;

	diag_init(&d);
	config_check_reload(server.config, c, server.config_path, &d);
	log_diag(&d);
	diag_free(&d);
	pipeline_set_engine(server.pipeline, e);
	engine_free(server.engine);
	server.engine = e;
	log_set_level(c->log_level);
	(void)apply_outputs(server.config, c);
	if (server.config->out_rate != c->out_rate ||
	    server.config->out_max_burst != c->out_max_burst) {
		outlimit_set(server.limit, c->out_rate, c->out_max_burst);
		log_info("outputs: at most %g alerts/s per rule after a burst "
			 "of %u%s", c->out_rate, c->out_max_burst,
			 c->out_rate > 0 ? "" : " (no limit)");
	}
	if (server.store && (server.config->max_age_s != c->max_age_s ||
			     server.config->max_rows != c->max_rows))
		store_sink_set_retention(server.store, c->max_age_s,
					 c->max_rows);
	config_take_reloadable(server.config, c);
	{
		struct capture_options co;

		/* the reloadable capture.* keys; the window's memory stays
		 * as it was (restart to change) */
		config_capture(server.config, &co);
		pipeline_capture_options(server.pipeline, &co);
	}
	kaudit_reload(server.kaudit, server.config, e);
	log_info("reload done");
}

static void reload_finish(void)
{
	struct config *c;
	struct engine *e;
	uint64_t n;

	if (read(server.reload_fd, &n, sizeof(n)) != sizeof(n) ||
	    !server.reload_running)
		return;
	(void)pthread_join(server.reload_thread, NULL);
	server.reload_running = false;
	c = server.reload_config;
	e = server.reload_engine;
	server.reload_config = NULL;
	server.reload_engine = NULL;
	if (!c)
		log_error("reload: config invalid; keeping the running one");
	else if (!e)
		log_error("reload: rules invalid; keeping the running rules");
	else
		apply_reload(c, e);
	config_free(c);
	if (server.under_systemd)
		(void)sd_notify(0, "READY=1");
	if (server.reload_again) {
		server.reload_again = false;
		reload_start();
	}
}

/* Events reach kernel audit control before the rules. */
static bool observe_event(const struct event *ev, void *ud)
{
	(void)ud;
	return kaudit_observe(server.kaudit, ev);
}

/* A container's first process, named by its runtime (kernel audit
 * control learns of it): the process table's. */
static void hint_cgroup(pid_t pid, const char *cgroup, void *ud)
{
	(void)ud;
	if (server.proctable)
		(void)proctable_hint_cgroup(server.proctable, pid, cgroup);
}

static enum kaudit_reader source_reader(void)
{
	if (!server.source_is_netlink)
		return KAUDIT_READER_OTHER;
	return strcmp(source_netlink_mode(server.source), "daemon") == 0
		       ? KAUDIT_READER_DAEMON
		       : KAUDIT_READER_MULTICAST;
}

static int open_source(const struct config *c)
{
	struct source_netlink_config nc;
	char *err = NULL;
	int r;

	if (strcmp(c->source, "netlink") == 0) {
		memset(&nc, 0, sizeof(nc));
		nc.want = SOURCE_NETLINK_AUTO;
		nc.backlog_limit = c->backlog_limit;
		server.source = source_netlink_new(&nc);
		server.source_is_netlink = true;
	} else if (strcmp(c->source, "stdin") == 0) {
		server.source = source_stdin_new(STDIN_FILENO);
	} else {
		server.source = source_file_new(c->source);
	}
	if (!server.source)
		return -ENOMEM;
	r = source_start(server.source, &err);
	if (r < 0) {
		log_error("cannot start source %s: %s", c->source,
			  err ? err : strerror(-r));
		free(err);
		return r;
	}
	if (server.source_is_netlink) {
		struct kaudit_status ks;

		log_info("reading kernel audit over netlink in %s mode%s",
			 source_netlink_mode(server.source),
			 strcmp(source_netlink_mode(server.source),
				"multicast") == 0 ?
				 " (another audit daemon holds the audit pid; "
				 "reading its multicast copy)" :
				 " (registered as the audit daemon)");
		lost_init(&server.lost,
			  kaudit_status_get(&ks) == 0 ? ks.lost : 0);
	} else {
		lost_init(&server.lost, 0);
		log_info("reading audit records from %s", c->source);
	}
	return 0;
}

/* The store (first: it keeps everything, never rate limited), then the
 * notification outputs. -EPERM: the store's path was refused. */
static int open_sinks(const struct config *c)
{
	struct store_options so;
	struct group *gr;
	char *err = NULL;
	int r;

	if (c->store_output) {
		store_options_init(&so);
		so.trusted = true;
		so.keep_trying = true;
		so.spool_dir = c->spool_dir;
		so.spool_max_bytes = (uint64_t)c->spool_max_mb << 20;
		so.busy_timeout_ms = c->busy_timeout_ms;
		so.retry_max_ms = c->retry_interval_ms;
		so.max_age_s = c->max_age_s;
		so.max_rows = c->max_rows;
		gr = getgrnam(c->store_group);
		if (gr)
			so.group = gr->gr_gid;
		else
			log_warning("store_output.group: no group '%s': a new "
				    "store is root's alone",
				    c->store_group);
		r = store_sink_open(c->store_path, &so, &server.store, &err);
		if (r < 0) {
			log_error("failed to open store %s: %s", c->store_path,
				  err ? err : strerror(-r));
			free(err);
			return r == -EPERM ? -EPERM : -EIO;
		}
		(void)pipeline_add_sink(server.pipeline, server.store);
		/* where the alerts come from: live, or the log the daemon
		 * was pointed at */
		if (store_sink_set_origin(server.store,
					  strcmp(c->source, "netlink") == 0 ||
							  strcmp(c->source,
								 "stdin") == 0 ?
						  "live" :
						  c->source) < 0)
			return -ENOMEM;
		if (c->capture_enabled) {
			struct capture_options co;

			config_capture(c, &co);
			if (pipeline_capture_into(server.pipeline,
						  server.store, &co) < 0)
				return -ENOMEM;
		}
	}
	server.limit = outlimit_new(c->out_rate, c->out_max_burst, NULL);
	if (!server.limit)
		return -ENOMEM;
	pipeline_set_limit(server.pipeline, server.limit);
	server.stdout_is_journal = stdout_is_journal();
	if (server.stdout_is_journal && c->stdout_output && c->journald_output)
		log_info("stdout is the journal: alerts reach it once, with "
			 "their fields, through journald_output");
	return apply_outputs(NULL, c);
}

/* What the outputs have to say (a fault began or cleared): logged, and
 * the store's raised as internal alerts, which every sink gets (the
 * store too: written when it works again). */
static void take_reports(void)
{
	struct sink *all[] = { server.store, server.http, server.file,
			       server.program, server.journal, server.out };
	struct sink_report rep;
	struct alert *a;
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (!all[i])
			continue;
		while (sink_take_report(all[i], &rep) == 1) {
			if (rep.start)
				log_warning("%s", rep.text);
			else
				log_info("%s", rep.text);
			if (!rep.alert)
				continue;
			a = alert_new_internal(rep.start ? ALERT_PRIO_ERROR :
							   ALERT_PRIO_NOTICE,
					       rep.rule, rep.text);
			if (a)
				pipeline_emit(server.pipeline, a);
		}
	}
}

struct summary {
	struct strbuf text;
	unsigned int rules;
};

static void summary_rule(const char *rule, uint64_t n, void *ud)
{
	struct summary *sm = ud;

	/* (rule names are root's, from the rules files; every sink
	 * escapes what it shows) */
	if (sm->rules++ < 20) {
		strbuf_appends(&sm->text, sm->rules > 1 ? ", " : ": ");
		strbuf_appendc(&sm->text, '\'');
		strbuf_appends(&sm->text, rule);
		strbuf_appendf(&sm->text, "' %llu", (unsigned long long)n);
	} else if (sm->rules == 21) {
		strbuf_appends(&sm->text, ", ...");
	}
}

/* Every outputs.summary_interval: what the per-rule limit held back. */
static void rate_summary(bool force)
{
	uint64_t now = clock_mono_ms(NULL), every, total;
	struct summary sm = { STRBUF_INIT, 0 };
	struct alert *a;
	char head[256];

	every = (server.config->out_summary_s ? server.config->out_summary_s :
						1) * 1000;
	if (!force && now - server.last_summary_ms < every)
		return;
	server.last_summary_ms = now;
	total = outlimit_summary(server.limit, summary_rule, &sm);
	if (total) {
		(void)snprintf(head, sizeof(head),
			       "%llu alerts held back from the notification "
			       "outputs in the last %llu s (at most %g/s per "
			       "rule after a burst of %u; the store has all)",
			       (unsigned long long)total,
			       (unsigned long long)(every / 1000),
			       server.config->out_rate,
			       server.config->out_max_burst);
		log_warning("%s%s", head, strbuf_str(&sm.text));
		a = NULL;
		if (!strbuf_failed(&sm.text)) {
			struct strbuf full = STRBUF_INIT;

			strbuf_appends(&full, head);
			strbuf_appends(&full, strbuf_str(&sm.text));
			if (!strbuf_failed(&full))
				a = alert_new_internal(ALERT_PRIO_WARNING,
						       OUTLIMIT_ALERT_RULE,
						       strbuf_str(&full));
			strbuf_free(&full);
		}
		if (a)
			pipeline_emit(server.pipeline, a);
	}
	strbuf_free(&sm.text);
}

static int make_signalfd(void)
{
	sigset_t mask;

	(void)sigemptyset(&mask);
	(void)sigaddset(&mask, SIGTERM);
	(void)sigaddset(&mask, SIGINT);
	(void)sigaddset(&mask, SIGQUIT);
	(void)sigaddset(&mask, SIGHUP);
	/* By default these end a process on the spot, leaving Harrier's
	 * kernel rules and audit settings behind. */
	(void)sigaddset(&mask, SIGUSR1);
	(void)sigaddset(&mask, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	(void)signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

static int make_timerfd(void)
{
	struct itimerspec its;
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	if (fd < 0)
		return -errno;
	memset(&its, 0, sizeof(its));
	its.it_interval.tv_nsec = TICK_MS * 1000000L;
	its.it_value = its.it_interval;
	if (timerfd_settime(fd, 0, &its, NULL) < 0) {
		(void)close(fd);
		return -errno;
	}
	return fd;
}

/* SIGUSR1: the counters, for an operator asking how it is doing. */
/* "name sent N dropped M" of an output, appended to sb. */
static void output_stats(struct strbuf *sb, struct sink *s)
{
	struct sink_stats st;

	if (!s)
		return;
	sink_stats(s, &st);
	strbuf_appendf(sb, "; %s sent %llu dropped %llu", sink_name(s),
		       (unsigned long long)st.written,
		       (unsigned long long)st.dropped);
}

static void log_stats(void)
{
	struct source_stats src;
	struct pipeline_stats ps;
	struct proctable_stats pts;
	struct sink_stats st = { 0, 0, 0 };
	struct store_status ss;
	struct strbuf outs = STRBUF_INIT;
	struct store_context_stats cs;
	struct capture_stats cap;
	struct kaudit_status ks = { .lost = 0, .backlog = 0 };
	bool kernel;

	/* lost: the counter as of the last housekeeping tick (1 s) */
	source_stats(server.source, &src);
	pipeline_get_stats(server.pipeline, &ps);
	memset(&pts, 0, sizeof(pts));
	if (server.proctable)
		proctable_get_stats(server.proctable, &pts);
	if (server.store)
		sink_stats(server.store, &st);
	store_sink_status(server.store, &ss);
	output_stats(&outs, server.journal);
	output_stats(&outs, server.http);
	output_stats(&outs, server.file);
	output_stats(&outs, server.program);
	kernel = server.source_is_netlink && kaudit_status_get(&ks) == 0;
	if (pipeline_capture_stats(server.pipeline, &cap)) {
		store_sink_context_stats(server.store, &cs);
		log_notice("capture: %llu captures (%llu skipped: too many at "
			   "once), window %zu events in %zu KiB (%llu dropped "
			   "early for memory), %llu context events stored, "
			   "%llu dropped (store queue half full or a store "
			   "fault: context is not spooled), %llu captures "
			   "and %llu alert joins dropped, %llu left out by "
			   "the per-minute cap; %llu alerts stored already",
			   (unsigned long long)cap.captures,
			   (unsigned long long)cap.captures_skipped,
			   cap.window_events, cap.window_bytes / 1024,
			   (unsigned long long)cap.window_dropped,
			   (unsigned long long)cs.events_written,
			   (unsigned long long)cs.events_dropped,
			   (unsigned long long)cs.summaries_dropped,
			   (unsigned long long)cs.joins_dropped,
			   (unsigned long long)cap.left_out,
			   (unsigned long long)cs.duplicates);
	}
	log_notice("stats: records %llu (queue dropped %llu, malformed "
		   "%llu), events %llu (malformed %llu, closed early %llu), "
		   "alerts %llu (held back from notifications %llu); store "
		   "written %llu dropped %llu (waiting %llu, in the spool "
		   "%llu, %s, %llu faults, %llu pruned)%s; process table %llu "
		   "entries; kernel lost %llu since start, backlog %s%u",
		   (unsigned long long)src.records,
		   (unsigned long long)src.dropped,
		   (unsigned long long)src.malformed,
		   (unsigned long long)ps.events,
		   (unsigned long long)ps.malformed,
		   (unsigned long long)ps.closed_early,
		   (unsigned long long)ps.alerts,
		   (unsigned long long)ps.suppressed,
		   (unsigned long long)st.written,
		   (unsigned long long)st.dropped,
		   (unsigned long long)ss.queued,
		   (unsigned long long)ss.spooled,
		   ss.fault ? "unavailable" : "ok",
		   (unsigned long long)ss.faults,
		   (unsigned long long)ss.pruned, strbuf_str(&outs),
		   (unsigned long long)pts.entries,
		   (unsigned long long)lost_kernel_total(&server.lost),
		   kernel ? "" : "(unknown) ", ks.backlog);
	strbuf_free(&outs);
}

static void housekeeping(void)
{
	check_lost();
	kaudit_check(server.kaudit);
	rate_summary(false);
	if (server.under_systemd)
		(void)sd_notify(0, "WATCHDOG=1");
}

/* A stop is an administrator's or service manager's act (systemctl
 * stop/restart, a package upgrade): a notice naming who sent it, not an
 * alert. (Something else killing harrierd is for the rules to judge: the
 * kill syscall is theirs to see.) */
static void log_stop(const struct signalfd_siginfo *si)
{
	char path[64], comm[32] = "?";
	FILE *f;

	(void)snprintf(path, sizeof(path), "/proc/%u/comm", si->ssi_pid);
	f = si->ssi_pid ? fopen(path, "re") : NULL;
	if (f) {
		size_t i;

		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		(void)fclose(f);
		/* the sender chose its comm: no control bytes in the log */
		for (i = 0; comm[i]; i++)
			if ((unsigned char)comm[i] < 0x20 || comm[i] == 0x7f)
				comm[i] = '?';
	}
	log_notice("stopping on %s from pid %u (%s): removing Harrier's "
		   "kernel audit rules",
		   si->ssi_signo == SIGINT	? "SIGINT"
		   : si->ssi_signo == SIGQUIT ? "SIGQUIT"
					      : "SIGTERM",
		   si->ssi_pid, comm);
}

static void reopen_outputs(void)
{
	log_info("received SIGUSR2: reopening output files");
	if (server.file)
		sink_reopen(server.file);
}

/* Returns when asked to stop (0) or the source failed/ended (<0 / 0). */
static int event_loop(int sigfd, int timerfd)
{
	struct pollfd pfd[4];
	struct signalfd_siginfo si;
	uint64_t expirations;
	int r;

	pfd[0].fd = sigfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = timerfd;
	pfd[1].events = POLLIN;
	pfd[2].fd = source_get_fd(server.source);
	pfd[2].events = POLLIN;
	pfd[3].fd = server.reload_fd;
	pfd[3].events = POLLIN;
	for (;;) {
		/* Before sleeping, the alerts of the last pass (a source
		 * batch, aged events, the lost-events alert) leave stdout in
		 * one write: their delay is one pass, not a buffer's fill. */
		if (server.out)
			(void)sink_flush(server.out);
		r = poll(pfd, 4, -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd[2].revents & (POLLIN | POLLHUP | POLLERR)) {
			r = source_read(server.source, pipeline_record,
					server.pipeline);
			if (r == 0) {
				log_info("end of input");
				return 0;
			}
			if (r < 0) {
				log_error("reading audit records: %s",
					  strerror(-r));
				return r;
			}
		}
		/* a reload's rules are compiled: swapped in between two
		 * passes, the running ones matched until now */
		if (pfd[3].revents & POLLIN)
			reload_finish();

		if (pfd[1].revents & POLLIN) {
			if (read(timerfd, &expirations, sizeof(expirations)) >
			    0) {
				pipeline_age(server.pipeline);
				kaudit_tick(server.kaudit);
				take_reports();
				if (++server.ticks % HOUSEKEEPING_TICKS == 0)
					housekeeping();
			}
		}
		if (pfd[0].revents & POLLIN) {
			if (read(sigfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo == SIGHUP) {
				reload_start();
				continue;
			}
			if (si.ssi_signo == SIGUSR1) {
				log_stats();
				continue;
			}
			if (si.ssi_signo == SIGUSR2) {
				reopen_outputs();
				continue;
			}
			log_stop(&si);
			return 0;
		}
	}
}

/* What an output could not deliver, said once at the stop. */
static void final_output_stats(struct sink *s)
{
	struct sink_stats ss;

	if (!s)
		return;
	sink_stats(s, &ss);
	if (ss.dropped)
		log_warning("%s output: %llu of %llu alerts not delivered",
			    sink_name(s), (unsigned long long)ss.dropped,
			    (unsigned long long)ss.emitted);
}

static void shutdown_all(void)
{
	struct store_status st;
	struct sink_stats ss;

	if (server.under_systemd)
		(void)sd_notify(0, "STOPPING=1");
	if (server.reload_running) {
		(void)pthread_join(server.reload_thread, NULL);
		server.reload_running = false;
		config_free(server.reload_config);
		engine_free(server.reload_engine);
	}
	/* Rules first, so no new events are generated; then stop the reader
	 * and process what it had queued; then flush the sinks. */
	if (server.kaudit)
		kaudit_stop(server.kaudit);
	if (server.source) {
		source_stop(server.source);
		while (source_read(server.source, pipeline_record,
				   server.pipeline) > 0)
			;
	}
	if (server.pipeline) {
		if (server.limit)
			rate_summary(true);
		take_reports();
		pipeline_flush(server.pipeline);
		take_reports();
	}
	if (server.store) {
		sink_stats(server.store, &ss);
		store_sink_status(server.store, &st);
		if (ss.dropped)
			log_error("store: %llu alerts could not be written",
				  (unsigned long long)ss.dropped);
		if (st.spooled)
			log_warning("store: %llu alerts wait in the spool (%s) "
				    "for the store to work again; the next "
				    "start writes them",
				    (unsigned long long)st.spooled,
				    server.config->spool_dir);
	}
	if (server.journal) {
		sink_stats(server.journal, &ss);
		if (ss.dropped)
			log_warning("journald: %llu alerts not sent (no "
				    "journald running, or it refused them)",
				    (unsigned long long)ss.dropped);
	}
	sink_free(server.store);
	sink_free(server.journal);
	sink_free(server.out);
	/* their flush waits for what is in flight, not for a dead receiver */
	final_output_stats(server.http);
	sink_free(server.http);
	final_output_stats(server.file);
	sink_free(server.file);
	final_output_stats(server.program);
	sink_free(server.program);
	join_retired();
	outlimit_free(server.limit);
	pipeline_free(server.pipeline);
	source_free(server.source);
	if (server.kaudit)
		kaudit_restore_finish(server.kaudit);
	kaudit_free(server.kaudit);
	proctable_free(server.proctable);
	engine_free(server.engine);
	config_free(server.config);
	resolver_stop();
	if (server.reload_fd >= 0)
		(void)close(server.reload_fd);
}

int main(int argc, char **argv)
{
	int sigfd = -1, timerfd = -1, r, rc = 0;

	log_set_program("harrierd");
	/* With glibc's default trim threshold (128 KB) the heap shrank and
	 * grew again between batches of records (page faults, sysmalloc:
	 * 4-7% of harrierd in bench/live's perf profile). Keep up to 32 MB
	 * of freed memory instead. */
	(void)mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
	(void)mallopt(M_TOP_PAD, 4 * 1024 * 1024);
	server.reload_fd = -1;
	if (parse_args(argc, argv) < 0)
		return EXIT_BAD_INPUT;
	server.under_systemd = getenv("NOTIFY_SOCKET") != NULL;
	server.config = load_config();
	if (!server.config)
		return EXIT_BAD_INPUT;
	log_set_level(server.config->log_level);
	/* As an auditd plugin (--source stdin) auditd supervises us: a
	 * plugin that forks looks dead to it and is restarted. */
	if (!server.foreground && !server.under_systemd &&
	    strcmp(server.config->source, "stdin") != 0) {
		if (daemon(0, 0) < 0) {
			log_error("cannot daemonize: %s", strerror(errno));
			return EXIT_RUNTIME;
		}
		log_use_syslog(true);
	}
	/* Block the signals before any thread exists (store writer, netlink
	 * reader, outputs): threads inherit the mask, so SIGTERM reaches
	 * only the signalfd and the clean shutdown always runs. */
	sigfd = make_signalfd();
	timerfd = make_timerfd();
	server.reload_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (sigfd < 0 || timerfd < 0 || server.reload_fd < 0) {
		log_error("cannot set up signals/timer");
		config_free(server.config);
		return EXIT_RUNTIME;
	}
	server.engine = load_engine(server.config);
	if (!server.engine) {
		config_free(server.config);
		(void)close(server.reload_fd);
		return EXIT_BAD_INPUT;
	}
	server.kaudit = kaudit_new(strcmp(server.config->source, "netlink")
					   == 0 ? KSTATE_FILE : NULL);
	if (!server.kaudit) {
		log_error("out of memory");
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (strcmp(server.config->source, "netlink") == 0 &&
	    server.config->kernel_rules &&
	    kaudit_build(server.kaudit, server.config, server.engine) < 0) {
		rc = EXIT_BAD_INPUT;
		goto out;
	}
	/* A replayed log's pids are not today's /proc: events only. */
	if (strcmp(server.config->source, "netlink") == 0 ||
	    strcmp(server.config->source, "stdin") == 0)
		server.proctable = proctable_new("/proc");
	else
		server.proctable = proctable_new_offline();
	server.pipeline = pipeline_new(server.engine, server.proctable);
	if (!server.pipeline) {
		rc = EXIT_RUNTIME;
		goto out;
	}
	pipeline_ignore_pid(server.pipeline, getpid());
	pipeline_set_observer(server.pipeline, observe_event, NULL);
	kaudit_set_hint(server.kaudit, hint_cgroup, NULL);
	r = open_sinks(server.config);
	if (r < 0) {
		rc = r == -EPERM || r == -EINVAL ? EXIT_BAD_INPUT : EXIT_RUNTIME;
		goto out;
	}
	kaudit_restore_prepare(server.kaudit);
	if (open_source(server.config) < 0) {
		rc = EXIT_RUNTIME;
		goto out;
	}
	kaudit_source_started(server.kaudit, source_reader(),
			      server.source_is_netlink &&
				      source_netlink_locked(server.source));
	if (server.proctable)
		(void)proctable_seed(server.proctable);
	if (kaudit_start(server.kaudit) < 0) {
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (server.under_systemd)
		(void)sd_notify(0, "READY=1\nSTATUS=watching kernel audit");
	log_info("ready");
	r = event_loop(sigfd, timerfd);
	if (r < 0)
		rc = EXIT_RUNTIME;
out:
	shutdown_all();
	if (sigfd >= 0)
		(void)close(sigfd);
	if (timerfd >= 0)
		(void)close(timerfd);
	return rc;
}
