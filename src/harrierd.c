/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harrierd: parses arguments and config, wires source -> pipeline -> sinks
 * and runs the event loop (source fd, signals, timers). The netlink reader
 * has its own thread inside the source; this loop may block on the store
 * or journald, never the reader. SIGTERM/SIGINT/SIGQUIT stop, SIGHUP
 * reloads, SIGUSR1 logs the counters.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
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
#include "pipeline/capture.h"
#include "pipeline/lost.h"
#include "pipeline/pipeline.h"
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
	struct sink *out, *journal, *store;

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
	if (server.config_explicit || access(server.config_path, F_OK) == 0)
		r = config_load(c, server.config_path, &d);
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
		r = pipeline_engine_new(server.rule_files, server.nrule_files,
					HARRIER_SYSCONFDIR, c->min_priority,
					c->rules_strict, &d, &e);
	else
		r = pipeline_engine_new((const char *const *)c->rules_files,
					c->nrules_files, HARRIER_SYSCONFDIR,
					c->min_priority, c->rules_strict, &d,
					&e);
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

static void reload(void)
{
	struct config *c;
	struct engine *e;
	struct diag d;

	log_info("reloading config and rules");
	if (server.under_systemd)
		(void)sd_notify(0, "RELOADING=1");
	c = load_config();
	if (!c) {
		log_error("reload: config invalid; keeping the running one");
		goto out;
	}
	diag_init(&d);
	config_check_reload(server.config, c, server.config_path, &d);
	log_diag(&d);
	diag_free(&d);
	e = load_engine(c);
	if (!e) {
		log_error("reload: rules invalid; keeping the running rules");
		config_free(c);
		goto out;
	}
	pipeline_set_engine(server.pipeline, e);
	engine_free(server.engine);
	server.engine = e;
	server.config->json_output = c->json_output;
	server.config->min_priority = c->min_priority;
	{
		struct capture_options co;

		/* the window's memory stays as it was (restart to change) */
		server.config->capture_min_priority = c->capture_min_priority;
		server.config->capture_before_ms = c->capture_before_ms;
		server.config->capture_duration_ms = c->capture_duration_ms;
		server.config->capture_max_events_per_minute =
			c->capture_max_events_per_minute;
		config_capture(server.config, &co);
		pipeline_capture_options(server.pipeline, &co);
	}
	log_set_level(c->log_level);
	kaudit_reload(server.kaudit, server.config, e);
	config_free(c);
	log_info("reload done");
out:
	if (server.under_systemd)
		(void)sd_notify(0, "READY=1");
}

/* Changes to the audit configuration reach kernel audit control. */
static void observe_event(const struct event *ev, void *ud)
{
	(void)ud;
	kaudit_observe(server.kaudit, ev);
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

static int open_sinks(const struct config *c)
{
	char *err = NULL;

	if (c->stdout_output) {
		server.out = sink_stdout_new(stdout, c->json_output);
		if (!server.out)
			return -ENOMEM;
		/* One write per pass of the event loop, not per alert. */
		sink_stdout_set_batched(server.out, true);
		(void)pipeline_add_sink(server.pipeline, server.out);
	}
	if (c->store_output) {
		server.store = store_sink_new(c->store_path, &err);
		if (!server.store) {
			log_error("failed to open store %s: %s", c->store_path,
				  err ? err : "unknown error");
			free(err);
			return -EIO;
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
	if (c->journald_output) {
		server.journal = sink_journald_new("harrierd");
		if (!server.journal)
			return -ENOMEM;
		(void)pipeline_add_sink(server.pipeline, server.journal);
	}
	return 0;
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
static void log_stats(void)
{
	struct source_stats src;
	struct pipeline_stats ps;
	struct proctable_stats pts;
	struct sink_stats st = { 0, 0, 0 }, jr = { 0, 0, 0 };
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
	if (server.journal)
		sink_stats(server.journal, &jr);
	kernel = server.source_is_netlink && kaudit_status_get(&ks) == 0;
	if (pipeline_capture_stats(server.pipeline, &cap)) {
		store_sink_context_stats(server.store, &cs);
		log_notice("capture: %llu captures (%llu skipped: too many at "
			   "once), window %zu events in %zu KiB (%llu dropped "
			   "early for memory), %llu context events stored, "
			   "%llu dropped, %llu left out by the per-minute cap",
			   (unsigned long long)cap.captures,
			   (unsigned long long)cap.captures_skipped,
			   cap.window_events, cap.window_bytes / 1024,
			   (unsigned long long)cap.window_dropped,
			   (unsigned long long)cs.events_written,
			   (unsigned long long)cs.events_dropped,
			   (unsigned long long)cap.left_out);
	}
	log_notice("stats: records %llu (queue dropped %llu, malformed "
		   "%llu), events %llu (malformed %llu, closed early %llu), "
		   "alerts %llu; store "
		   "written %llu dropped %llu; journald sent %llu dropped "
		   "%llu; process table %llu entries; kernel lost %llu since "
		   "start, backlog %s%u",
		   (unsigned long long)src.records,
		   (unsigned long long)src.dropped,
		   (unsigned long long)src.malformed,
		   (unsigned long long)ps.events,
		   (unsigned long long)ps.malformed,
		   (unsigned long long)ps.closed_early,
		   (unsigned long long)ps.alerts,
		   (unsigned long long)st.written,
		   (unsigned long long)st.dropped,
		   (unsigned long long)jr.written,
		   (unsigned long long)jr.dropped,
		   (unsigned long long)pts.entries,
		   (unsigned long long)lost_kernel_total(&server.lost),
		   kernel ? "" : "(unknown) ", ks.backlog);
}

static void housekeeping(void)
{
	check_lost();
	kaudit_check(server.kaudit);
	if (server.under_systemd)
		(void)sd_notify(0, "WATCHDOG=1");
}

/* Returns when asked to stop (0) or the source failed/ended (<0 / 0). */
static int event_loop(int sigfd, int timerfd)
{
	struct pollfd pfd[3];
	struct signalfd_siginfo si;
	uint64_t expirations;
	int r;

	pfd[0].fd = sigfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = timerfd;
	pfd[1].events = POLLIN;
	pfd[2].fd = source_get_fd(server.source);
	pfd[2].events = POLLIN;
	for (;;) {
		/* Before sleeping, the alerts of the last pass (a source
		 * batch, aged events, the lost-events alert) leave stdout in
		 * one write: their delay is one pass, not a buffer's fill. */
		if (server.out)
			(void)sink_flush(server.out);
		r = poll(pfd, 3, -1);
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

		if (pfd[1].revents & POLLIN) {
			if (read(timerfd, &expirations, sizeof(expirations)) >
			    0) {
				pipeline_age(server.pipeline);
				kaudit_tick(server.kaudit);
				if (++server.ticks % HOUSEKEEPING_TICKS == 0)
					housekeeping();
			}
		}
		if (pfd[0].revents & POLLIN) {
			if (read(sigfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo == SIGHUP) {
				reload();
				continue;
			}
			if (si.ssi_signo == SIGUSR1) {
				log_stats();
				continue;
			}
			if (si.ssi_signo == SIGUSR2) {
				log_info("received SIGUSR2: ignored");
				continue;
			}
			log_info("received %s, stopping",
				 si.ssi_signo == SIGINT ? "SIGINT" :
				 si.ssi_signo == SIGQUIT ? "SIGQUIT" :
				 "SIGTERM");
			return 0;
		}
	}
}

static void shutdown_all(void)
{
	struct sink_stats ss;

	if (server.under_systemd)
		(void)sd_notify(0, "STOPPING=1");
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
	if (server.pipeline)
		pipeline_flush(server.pipeline);
	if (server.store) {
		sink_stats(server.store, &ss);
		if (ss.dropped)
			log_error("store: %llu alerts could not be written",
				  (unsigned long long)ss.dropped);
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
	pipeline_free(server.pipeline);
	source_free(server.source);
	if (server.kaudit)
		kaudit_restore_finish(server.kaudit);
	kaudit_free(server.kaudit);
	proctable_free(server.proctable);
	engine_free(server.engine);
	config_free(server.config);
	resolver_stop();
}

int main(int argc, char **argv)
{
	int sigfd = -1, timerfd = -1, r, rc = 0;

	log_set_program("harrierd");
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
	 * reader): threads inherit the mask, so SIGTERM reaches only the
	 * signalfd and the clean shutdown always runs. */
	sigfd = make_signalfd();
	timerfd = make_timerfd();
	if (sigfd < 0 || timerfd < 0) {
		log_error("cannot set up signals/timer");
		config_free(server.config);
		return EXIT_RUNTIME;
	}
	server.engine = load_engine(server.config);
	if (!server.engine) {
		config_free(server.config);
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
	if (open_sinks(server.config) < 0) {
		rc = EXIT_RUNTIME;
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
