/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel audit settings restore file: parse, atomic write, and the
 * decision whose settings to restore. The file lives on a tmpfs (/run)
 * that root owns, but its text is still validated line by line and
 * bounded: it must never make the daemon set values it did not record.
 * No kernel access and no logging here.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/limits.h"
#include "common/strbuf.h"
#include "kaudit/kstate.h"

/* /proc/stat's btime moves with clock steps: a file within this of the
 * boot's is of this boot. */
#define KSTATE_BOOT_SLACK_S 60

struct kstate {
	char *path;
	char *tmp_path;
	bool known; /* saved holds what to restore */
	bool from_crash; /* saved came from a crashed run's file */
	bool written; /* this run wrote the file */
	bool has_applied;
	struct kstate_settings saved;
	struct kstate_settings applied; /* what this run set */
};

enum {
	KSTATE_KEY_PID,
	KSTATE_KEY_ENABLED,
	KSTATE_KEY_BACKLOG,
	/* optional from here */
	KSTATE_KEY_APPLIED_ENABLED,
	KSTATE_KEY_APPLIED_BACKLOG,
	KSTATE_KEY_BOOT_TIME,
	KSTATE_NKEYS
};
#define KSTATE_NREQUIRED (KSTATE_KEY_BACKLOG + 1)

static const char *const kstate_keys[KSTATE_NKEYS] = {
	[KSTATE_KEY_PID] = "pid",
	[KSTATE_KEY_ENABLED] = "enabled",
	[KSTATE_KEY_BACKLOG] = "backlog_limit",
	[KSTATE_KEY_APPLIED_ENABLED] = "applied_enabled",
	[KSTATE_KEY_APPLIED_BACKLOG] = "applied_backlog_limit",
	[KSTATE_KEY_BOOT_TIME] = "boot_time",
};

/* Plain decimal digits only: no sign, space or base prefix that strtoul
 * would accept. */
static int kstate_number(const char *s, size_t n, uint32_t *ret)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 10)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

static bool kstate_name_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	}
	return true;
}

/* One non-blank, non-comment line. */
static int kstate_parse_line(const char *line, size_t n,
			     uint32_t val[KSTATE_NKEYS],
			     bool seen[KSTATE_NKEYS])
{
	const char *eq = memchr(line, '=', n);
	size_t klen, i;

	if (!eq)
		return -EINVAL;
	klen = (size_t)(eq - line);
	if (!kstate_name_valid(line, klen))
		return -EINVAL;
	for (i = 0; i < KSTATE_NKEYS; i++) {
		if (strlen(kstate_keys[i]) == klen &&
		    memcmp(kstate_keys[i], line, klen) == 0)
			break;
	}
	if (i == KSTATE_NKEYS)
		return 0; /* a key of a newer version */
	if (seen[i])
		return -EINVAL;
	seen[i] = true;
	return kstate_number(eq + 1, n - klen - 1, &val[i]);
}

int kstate_parse(const char *text, size_t len, struct kstate_record *ret)
{
	uint32_t val[KSTATE_NKEYS] = { 0 };
	bool seen[KSTATE_NKEYS] = { false };
	const char *p = text, *end = text + len, *nl;
	size_t n, i;
	int r;

	if (len >= HARRIER_KSTATE_MAX_BYTES)
		return -EFBIG;
	if (memchr(text, '\0', len))
		return -EINVAL;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > 0 && p[0] != '#') {
			r = kstate_parse_line(p, n, val, seen);
			if (r < 0)
				return r;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	for (i = 0; i < KSTATE_NREQUIRED; i++)
		if (!seen[i])
			return -EINVAL;
	/* the applied settings come as a pair */
	if (seen[KSTATE_KEY_APPLIED_ENABLED] !=
	    seen[KSTATE_KEY_APPLIED_BACKLOG])
		return -EINVAL;
	if (val[KSTATE_KEY_PID] == 0 || val[KSTATE_KEY_PID] > INT32_MAX ||
	    val[KSTATE_KEY_ENABLED] > 1 || val[KSTATE_KEY_BACKLOG] == 0 ||
	    val[KSTATE_KEY_APPLIED_ENABLED] > 2)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	ret->pid = val[KSTATE_KEY_PID];
	ret->saved.enabled = val[KSTATE_KEY_ENABLED];
	ret->saved.backlog_limit = val[KSTATE_KEY_BACKLOG];
	ret->has_applied = seen[KSTATE_KEY_APPLIED_ENABLED];
	ret->applied.enabled = val[KSTATE_KEY_APPLIED_ENABLED];
	ret->applied.backlog_limit = val[KSTATE_KEY_APPLIED_BACKLOG];
	ret->has_boot_time = seen[KSTATE_KEY_BOOT_TIME];
	ret->boot_time = val[KSTATE_KEY_BOOT_TIME];
	return 0;
}

int kstate_read(const char *path, struct kstate_record *ret)
{
	char *buf;
	size_t len;
	int r;

	/* One byte under the limit at most: kstate_parse refuses a file that
	 * reaches it. */
	r = read_file_max(path, HARRIER_KSTATE_MAX_BYTES - 1, O_NOFOLLOW, &buf,
			  &len);
	if (r < 0)
		return r;
	r = kstate_parse(buf, len, ret);
	free(buf);
	return r;
}

bool kstate_pid_alive(pid_t pid)
{
	if (pid <= 0 || pid == getpid())
		return false;
	/* EPERM: it exists, we may not signal it. */
	return kill(pid, 0) == 0 || errno != ESRCH;
}

struct kstate *kstate_new(const char *path)
{
	struct kstate *ks = calloc(1, sizeof(*ks));
	size_t n = strlen(path);

	if (!ks)
		return NULL;
	ks->path = strdup(path);
	ks->tmp_path = malloc(n + sizeof(".tmp"));
	if (!ks->path || !ks->tmp_path) {
		kstate_free(ks);
		return NULL;
	}
	memcpy(ks->tmp_path, path, n);
	memcpy(ks->tmp_path + n, ".tmp", sizeof(".tmp"));
	return ks;
}

void kstate_free(struct kstate *ks)
{
	if (!ks)
		return;
	free(ks->path);
	free(ks->tmp_path);
	free(ks);
}

const char *kstate_path(const struct kstate *ks)
{
	return ks->path;
}

int kstate_prepare(struct kstate *ks, const struct kstate_settings *now,
		   struct kstate_record *ret_file)
{
	struct kstate_record rec;
	uint32_t boot;
	int r;

	ks->known = false;
	ks->from_crash = false;
	ks->saved = *now;
	r = kstate_read(ks->path, &rec);
	if (r == -ENOENT) {
		ks->known = true;
		return KSTATE_FROM_KERNEL;
	}
	if (r < 0) {
		ks->known = true;
		return r;
	}
	if (ret_file)
		*ret_file = rec;
	/* An earlier boot: its pid may be anyone's now, and the kernel
	 * started afresh. btime is derived from the clock and the uptime:
	 * it may move by a second or so. */
	if (rec.has_boot_time && (boot = kstate_boot_time()) != 0 &&
	    (rec.boot_time > boot + KSTATE_BOOT_SLACK_S ||
	     boot > rec.boot_time + KSTATE_BOOT_SLACK_S)) {
		ks->known = true;
		return KSTATE_STALE;
	}
	if (kstate_pid_alive((pid_t)rec.pid))
		return KSTATE_OTHER_RUN;
	/* The kernel no longer has what the run set: changed since. A file
	 * without the applied settings (older versions) is still known to
	 * have been written with audit enabled: only the audit daemon
	 * writes it, once it has enabled audit. */
	if (rec.has_applied ? now->enabled != rec.applied.enabled ||
				      now->backlog_limit !=
					      rec.applied.backlog_limit
			    : now->enabled == 0) {
		ks->known = true;
		return KSTATE_STALE;
	}
	ks->saved = rec.saved;
	ks->from_crash = true;
	ks->known = true;
	return KSTATE_FROM_CRASH;
}

bool kstate_known(const struct kstate *ks)
{
	return ks->known;
}

int kstate_saved(const struct kstate *ks, struct kstate_settings *ret)
{
	if (!ks->known)
		return -ENODATA;
	*ret = ks->saved;
	return 0;
}

/* The file's directory (/run/harrier is on a tmpfs: gone after a reboot),
 * one level, as the file's owner would create it. */
static int kstate_make_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int r = 0;

	if (!slash || slash == path)
		return 0;
	dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return -ENOMEM;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		r = -errno;
	free(dir);
	return r;
}

static int kstate_write_all(int fd, const char *s, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

void kstate_set_applied(struct kstate *ks, const struct kstate_settings *a)
{
	ks->applied = *a;
	ks->has_applied = true;
}

uint32_t kstate_boot_time(void)
{
	char *buf, *p;
	size_t len;
	unsigned long v = 0;

	if (read_file_max("/proc/stat", 1 << 20, 0, &buf, &len) < 0)
		return 0;
	for (p = buf; p && (size_t)(p - buf) < len; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, "btime ", 6) == 0) {
			v = strtoul(p + 6, NULL, 10);
			break;
		}
	}
	free(buf);
	return v <= UINT32_MAX ? (uint32_t)v : 0;
}

int kstate_write(struct kstate *ks, pid_t pid)
{
	char text[HARRIER_KSTATE_MAX_BYTES];
	uint32_t boot = kstate_boot_time();
	int fd, n, r, m;

	if (!ks->known)
		return -ENODATA;
	n = snprintf(text, sizeof(text),
		     "# harrierd: kernel audit settings to restore\n"
		     "pid=%ld\nenabled=%u\nbacklog_limit=%u\n",
		     (long)pid, ks->saved.enabled, ks->saved.backlog_limit);
	if (n < 0 || (size_t)n >= sizeof(text))
		return -EOVERFLOW;
	if (ks->has_applied) {
		m = snprintf(text + n, sizeof(text) - (size_t)n,
			     "applied_enabled=%u\napplied_backlog_limit=%u\n",
			     ks->applied.enabled, ks->applied.backlog_limit);
		if (m < 0 || (size_t)m >= sizeof(text) - (size_t)n)
			return -EOVERFLOW;
		n += m;
	}
	if (boot) {
		m = snprintf(text + n, sizeof(text) - (size_t)n,
			     "boot_time=%u\n", boot);
		if (m < 0 || (size_t)m >= sizeof(text) - (size_t)n)
			return -EOVERFLOW;
		n += m;
	}
	r = kstate_make_dir(ks->path);
	if (r < 0)
		return r;
	fd = open(ks->tmp_path,
		  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	r = kstate_write_all(fd, text, (size_t)n);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(ks->tmp_path, ks->path) < 0)
		r = -errno;
	if (r < 0) {
		(void)unlink(ks->tmp_path);
		return r;
	}
	ks->written = true;
	return 0;
}

bool kstate_restore_plan(const struct kstate *ks,
			 const struct kstate_settings *now,
			 struct kstate_settings *ret)
{
	struct kstate_settings set = { KSTATE_KEEP, KSTATE_KEEP };

	if (!ks->written || !ks->from_crash)
		return false;
	/* enabled 2 is locked until reboot: no set may touch it. */
	if (now->enabled != ks->saved.enabled && now->enabled != 2)
		set.enabled = ks->saved.enabled;
	if (now->backlog_limit != ks->saved.backlog_limit)
		set.backlog_limit = ks->saved.backlog_limit;
	if (set.enabled == KSTATE_KEEP && set.backlog_limit == KSTATE_KEEP)
		return false;
	*ret = set;
	return true;
}

int kstate_remove(struct kstate *ks)
{
	if (!ks->written)
		return 0;
	if (unlink(ks->path) < 0 && errno != ENOENT)
		return -errno;
	ks->written = false;
	return 0;
}
