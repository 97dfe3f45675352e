/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harrier status: the kernel audit state (enabled, backlog, lost, who
 * holds the audit pid) and a summary of the store.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "kaudit/kstatus.h"
#include "sink/store_query.h"

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

static void put(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static struct json_object *kernel_json(int r,
				       const struct kaudit_status *k,
				       const char *comm)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (r < 0) {
		put(o, "error", json_object_new_string(
					r == -EPERM || r == -EACCES ?
						"needs root" : strerror(-r)));
		return o;
	}
	put(o, "enabled", json_object_new_int((int)k->enabled));
	put(o, "failure", json_object_new_int((int)k->failure));
	put(o, "backlog", json_object_new_int64(k->backlog));
	put(o, "backlog_limit", json_object_new_int64(k->backlog_limit));
	put(o, "lost", json_object_new_int64(k->lost));
	put(o, "pid", json_object_new_int64(k->pid));
	put(o, "daemon", k->pid ? json_object_new_string(comm) : NULL);
	return o;
}

static struct json_object *store_json(const char *db, int r,
				      const struct store_summary *sum,
				      const char *err)
{
	struct json_object *o = json_object_new_object(), *p;
	unsigned int i;

	if (!o)
		return NULL;
	put(o, "path", json_object_new_string(db));
	if (r < 0) {
		put(o, "error", json_object_new_string(err ? err :
							     strerror(-r)));
		return o;
	}
	put(o, "schema", json_object_new_int(sum->version));
	put(o, "alerts", json_object_new_int64((int64_t)sum->total));
	put(o, "events", json_object_new_int64((int64_t)sum->events));
	put(o, "captures", json_object_new_int64((int64_t)sum->captures));
	put(o, "newest", sum->total ? json_object_new_string(sum->last_time) :
				      NULL);
	p = json_object_new_object();
	for (i = 0; p && i <= ALERT_PRIO_DEBUG; i++)
		put(p, alert_priority_name((enum alert_priority)i),
		    json_object_new_int64((int64_t)sum->by_priority[i]));
	put(o, "by_priority", p);
	return o;
}

static void print_kernel(int r, const struct kaudit_status *k,
			 const char *comm)
{
	if (r < 0) {
		(void)printf("kernel audit: unavailable (%s)\n",
			     r == -EPERM || r == -EACCES ? "needs root" :
							   strerror(-r));
		return;
	}
	(void)printf("kernel audit: enabled %u%s, failure %u, backlog %u/%u, "
		     "lost %u\n",
		     k->enabled, k->enabled == 2 ? " (locked)" : "",
		     k->failure, k->backlog, k->backlog_limit, k->lost);
	if (k->pid)
		(void)printf("audit daemon: pid %u (%s)%s\n", k->pid, comm,
			     strcmp(comm, "harrierd") == 0 ?
				     "" : "; harrierd, if running, reads its "
					  "multicast copy");
	else
		(void)printf("audit daemon: none (harrierd is not running as "
			     "the audit daemon)\n");
}

static void print_store(const char *db, int r, const struct store_summary *sum,
			const char *err)
{
	unsigned int p;

	if (r < 0) {
		(void)printf("store %s: %s\n", db, err ? err : strerror(-r));
		return;
	}
	(void)printf("store %s: %llu alerts%s%s\n", db,
		     (unsigned long long)sum->total,
		     sum->total ? ", newest " : "", sum->last_time);
	if (sum->version >= 2)
		(void)printf("  context: %llu events around %llu captured "
			     "alerts\n",
			     (unsigned long long)sum->events,
			     (unsigned long long)sum->captures);
	for (p = 0; p <= ALERT_PRIO_DEBUG; p++)
		if (sum->by_priority[p])
			(void)printf("  %-13s %llu\n",
				     alert_priority_name((enum alert_priority)p),
				     (unsigned long long)sum->by_priority[p]);
}

static int run(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	struct kaudit_status k;
	struct store_summary sum;
	struct json_object *doc;
	const char *db = cli_default_db;
	char comm[64] = "?", *err = NULL;
	bool json = false;
	int c, rk, rs;

	while ((c = cli_getopt(cmd, argc, argv, "d:jh", opts)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
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
	if (cli_no_more_args(cmd, argc, argv))
		return CLI_EXIT_BAD_INPUT;
	memset(&k, 0, sizeof(k));
	rk = kaudit_status_get(&k);
	if (rk == 0 && k.pid)
		pid_comm(k.pid, comm, sizeof(comm));
	memset(&sum, 0, sizeof(sum));
	rs = store_summary(db, &sum, &err);
	if (json) {
		doc = json_object_new_object();
		if (doc) {
			put(doc, "kernel", kernel_json(rk, &k, comm));
			put(doc, "store", store_json(db, rs, &sum, err));
		}
		(void)cli_print_json(doc);
	} else {
		print_kernel(rk, &k, comm);
		print_store(db, rs, &sum, err);
	}
	free(err);
	return rk < 0 || rs < 0 ? CLI_EXIT_RUNTIME : CLI_EXIT_OK;
}

const struct cli_command cli_cmd_status = {
	.name = "status",
	.synopsis = "[--db PATH] [--json]",
	.summary = "kernel audit and store status",
	.help = "  --db PATH   the store (default: the daemon's)\n"
		"  --json      {kernel: {enabled, failure, backlog, "
		"backlog_limit, lost, pid,\n"
		"              daemon}, store: {path, alerts, newest, "
		"by_priority}}; a part\n"
		"              that cannot be read has {error}\n"
		"Exit 2 when the kernel audit state or the store cannot be "
		"read.\n",
	.run = run,
};
