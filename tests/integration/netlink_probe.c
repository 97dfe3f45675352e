/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test driver for the live sources and the kernel rules manager, run by
 * tests/integration/test_netlink.sh under /tmp/harrier-audit.lock. It only
 * adds and removes rules keyed "harrier...", and always unregisters and
 * restores what the netlink source changed before it exits.
 *
 *   netlink_probe listen [--mode auto|daemon|multicast] [--rules FILE]
 *                        [--run CMD] [--expect ERE]... [--timeout SEC]
 *   netlink_probe install FILE        (install, print "installed N")
 *   netlink_probe remove-all          (print "removed N")
 *   netlink_probe tamper FILE CMD     (install, check, CMD, check, repair)
 *   netlink_probe stdin OUT           (auditd plugin: stdin records to OUT)
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/diag.h"
#include "kaudit/kernel_rules.h"
#include "kaudit/kstatus.h"
#include "source/netlink.h"
#include "source/stdin.h"

#define MAX_EXPECT 8

struct listen_ctx {
	regex_t expect[MAX_EXPECT];
	bool seen[MAX_EXPECT];
	size_t nexpect;
	bool verbose;
};

static int on_record(const char *rec, size_t len, void *ud)
{
	struct listen_ctx *c = ud;
	size_t i;

	(void)len;
	if (c->verbose)
		printf("record: %s\n", rec);
	for (i = 0; i < c->nexpect; i++) {
		if (!c->seen[i] &&
		    regexec(&c->expect[i], rec, 0, NULL, 0) == 0) {
			c->seen[i] = true;
			printf("match[%zu]: %s\n", i, rec);
		}
	}
	fflush(stdout);
	return 0;
}

static bool all_seen(const struct listen_ctx *c)
{
	size_t i;

	for (i = 0; i < c->nexpect; i++)
		if (!c->seen[i])
			return false;
	return true;
}

static void print_diag(const struct diag *d)
{
	char buf[1024];
	size_t i;

	for (i = 0; i < d->n; i++) {
		diag_format(&d->items[i], buf, sizeof(buf));
		fprintf(stderr, "%s\n", buf);
	}
}

static struct kernel_rules *load_rules(const char *path)
{
	struct kernel_rules *kr = kernel_rules_new(getpid());
	struct diag d;

	if (!kr)
		return NULL;
	diag_init(&d);
	if (kernel_rules_load_file(kr, path, &d) < 0) {
		print_diag(&d);
		diag_free(&d);
		kernel_rules_free(kr);
		return NULL;
	}
	diag_free(&d);
	return kr;
}

static int install(struct kernel_rules *kr)
{
	char *err = NULL;
	int rc = kernel_rules_install(kr, &err);

	if (rc < 0) {
		fprintf(stderr, "install: %s\n", err ? err : strerror(-rc));
		free(err);
	}
	return rc;
}

static int remove_all(void)
{
	unsigned int removed = 0;
	char *err = NULL;
	int rc = kernel_rules_remove_all(&removed, &err);

	if (rc < 0) {
		fprintf(stderr, "remove_all: %s\n", err ? err : strerror(-rc));
		free(err);
		return rc;
	}
	printf("removed %u\n", removed);
	fflush(stdout);
	return 0;
}

static int check(struct kernel_rules *kr, unsigned int *ret_missing)
{
	char *err = NULL;
	int rc = kernel_rules_check(kr, ret_missing, &err);

	if (rc < 0) {
		fprintf(stderr, "check: %s\n", err ? err : strerror(-rc));
		free(err);
	}
	return rc;
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmd_listen(int argc, char **argv)
{
	struct source_netlink_config cfg;
	struct listen_ctx ctx;
	struct kernel_rules *kr = NULL;
	struct source_stats st;
	const char *rules = NULL, *run = NULL;
	double timeout = 10, end;
	struct source *s;
	char *err = NULL;
	struct kaudit_status ks;
	int i, rc, ret = 1;

	memset(&cfg, 0, sizeof(cfg));
	memset(&ctx, 0, sizeof(ctx));
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--verbose") == 0) {
			ctx.verbose = true;
			continue;
		}
		if (!v) {
			fprintf(stderr, "%s needs a value\n", a);
			return 2;
		}
		i++;
		if (strcmp(a, "--mode") == 0)
			cfg.want = strcmp(v, "daemon") == 0
					   ? SOURCE_NETLINK_DAEMON
				   : strcmp(v, "multicast") == 0
					   ? SOURCE_NETLINK_MULTICAST
					   : SOURCE_NETLINK_AUTO;
		else if (strcmp(a, "--rules") == 0)
			rules = v;
		else if (strcmp(a, "--run") == 0)
			run = v;
		else if (strcmp(a, "--timeout") == 0)
			timeout = strtod(v, NULL);
		else if (strcmp(a, "--expect") == 0 &&
			 ctx.nexpect < MAX_EXPECT) {
			if (regcomp(&ctx.expect[ctx.nexpect], v,
				    REG_EXTENDED | REG_NOSUB) != 0) {
				fprintf(stderr, "bad regex %s\n", v);
				return 2;
			}
			ctx.nexpect++;
		} else {
			fprintf(stderr, "unknown option %s\n", a);
			return 2;
		}
	}

	s = source_netlink_new(&cfg);
	if (!s)
		return 2;
	rc = source_start(s, &err);
	if (rc < 0) {
		fprintf(stderr, "start: %s (%s)\n", err ? err : "?",
			strerror(-rc));
		free(err);
		source_free(s);
		return 2;
	}
	printf("mode=%s locked=%d\n", source_netlink_mode(s),
	       source_netlink_locked(s) ? 1 : 0);
	fflush(stdout);
	if (rules) {
		kr = load_rules(rules);
		if (!kr || remove_all() < 0 || install(kr) < 0) {
			ret = 2;
			goto out;
		}
	}
	if (run && system(run) == -1) {
		ret = 2;
		goto out;
	}
	end = now_sec() + timeout;
	while (!all_seen(&ctx) && now_sec() < end) {
		struct pollfd pfd = { .fd = source_get_fd(s),
				      .events = POLLIN };

		if (poll(&pfd, 1, 200) < 0)
			continue;
		rc = source_read(s, on_record, &ctx);
		if (rc < 0) {
			fprintf(stderr, "read: %s\n", strerror(-rc));
			ret = 2;
			goto out;
		}
	}
	ret = all_seen(&ctx) ? 0 : 1;
out:
	source_stats(s, &st);
	printf("stats records=%llu dropped=%llu malformed=%llu\n",
	       (unsigned long long)st.records, (unsigned long long)st.dropped,
	       (unsigned long long)st.malformed);
	if (kaudit_status_get(&ks) == 0)
		printf("kernel lost=%u backlog=%u\n", ks.lost, ks.backlog);
	if (kr) {
		if (remove_all() < 0)
			ret = 2;
		kernel_rules_free(kr);
	}
	source_stop(s);
	source_free(s);
	for (i = 0; i < (int)ctx.nexpect; i++)
		regfree(&ctx.expect[i]);
	fflush(stdout);
	return ret;
}

static int cmd_tamper(const char *path, const char *cmd)
{
	struct kernel_rules *kr = load_rules(path);
	unsigned int m0 = 99, m1 = 0, m2 = 99;
	int ret = 1;

	if (!kr)
		return 2;
	if (remove_all() < 0 || install(kr) < 0 || check(kr, &m0) < 0)
		goto out;
	printf("missing after install: %u\n", m0);
	fflush(stdout);
	if (system(cmd) == -1 || check(kr, &m1) < 0)
		goto out;
	printf("missing after tampering: %u\n", m1);
	if (install(kr) < 0 || check(kr, &m2) < 0)
		goto out;
	printf("missing after repair: %u\n", m2);
	ret = m0 == 0 && m1 > 0 && m2 == 0 ? 0 : 1;
out:
	if (remove_all() < 0)
		ret = 2;
	kernel_rules_free(kr);
	fflush(stdout);
	return ret;
}

static int out_record(const char *rec, size_t len, void *ud)
{
	FILE *f = ud;

	fwrite(rec, 1, len, f);
	fputc('\n', f);
	fflush(f);
	return 0;
}

static int cmd_stdin(const char *out)
{
	struct source *s = source_stdin_new(STDIN_FILENO);
	FILE *f = fopen(out, "a");
	int rc = 1;

	if (!s || !f || source_start(s, NULL) < 0)
		goto done;
	for (;;) {
		struct pollfd pfd = { .fd = source_get_fd(s),
				      .events = POLLIN };

		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
		rc = source_read(s, out_record, f);
		if (rc <= 0)
			break;
	}
done:
	if (f)
		fclose(f);
	source_free(s);
	return rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "listen") == 0)
		return cmd_listen(argc - 2, argv + 2);
	if (argc == 3 && strcmp(argv[1], "install") == 0) {
		struct kernel_rules *kr = load_rules(argv[2]);
		int rc = kr ? install(kr) : -EINVAL;

		if (rc == 0)
			printf("installed %zu\n", kernel_rules_count(kr));
		kernel_rules_free(kr);
		return rc < 0 ? 1 : 0;
	}
	if (argc == 2 && strcmp(argv[1], "remove-all") == 0)
		return remove_all() < 0 ? 1 : 0;
	if (argc == 4 && strcmp(argv[1], "tamper") == 0)
		return cmd_tamper(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "stdin") == 0)
		return cmd_stdin(argv[2]);
	fprintf(stderr, "usage: see the comment at the top of "
			"netlink_probe.c\n");
	return 2;
}
