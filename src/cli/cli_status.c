/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harrier status: the kernel audit state (enabled, backlog, lost, who
 * holds the audit pid) and a summary of the store.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sink/store_query.h"
#include "source/netlink.h"

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

static int run(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	struct source_netlink_kstate k;
	struct store_summary sum;
	const char *db = cli_default_db;
	char comm[64], *err = NULL;
	int c, r, rc = 0;
	unsigned int p;

	while ((c = cli_getopt(cmd, argc, argv, "d:h", opts)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'h':
			return CLI_EXIT_OK;
		default:
			return CLI_EXIT_BAD_INPUT;
		}
	}
	if (cli_no_more_args(cmd, argc, argv))
		return CLI_EXIT_BAD_INPUT;
	r = source_netlink_kernel_get(&k);
	if (r < 0) {
		(void)printf("kernel audit: unavailable (%s)\n",
			     r == -EPERM || r == -EACCES ?
				     "needs root" : strerror(-r));
		rc = CLI_EXIT_RUNTIME;
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
		return CLI_EXIT_RUNTIME;
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

const struct cli_command cli_cmd_status = {
	.name = "status",
	.synopsis = "[--db PATH]",
	.summary = "kernel audit and store status",
	.help = "  --db PATH   the store (default: the daemon's)\n"
		"Exit 2 when the kernel audit state or the store cannot be "
		"read.\n",
	.run = run,
};
