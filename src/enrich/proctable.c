/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process table: what the enricher knows about each pid, so that
 * parent and ancestor fields work and a process that exited before its
 * events were processed still gets its container (from its parent).
 * The cached path must stay cheap (no /proc access, O(1)); /proc is read
 * only for pids not yet known, at exec (the cgroup may have changed) and
 * to check for pid reuse when an entry looks stale. Never prints.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/limits.h"
#include "common/strbuf.h"
#include "enrich/container.h"
#include "enrich/fdtable.h"
#include "enrich/pathres.h"
#include "enrich/proctable.h"

#define PT_MIN_BUCKETS 1024
/* A dead entry whose pid was just found gone is not looked up in /proc
 * again for this long: replayed or backlogged events of an exited process
 * would otherwise each pay a failed open. Pid reuse within 100 ms needs a
 * full wrap of the pid space. */
#define PT_DEAD_RECHECK_MS 100
/* clone(2) flags argument (a0 on x86_64 and aarch64). */
#define PT_CLONE_THREAD 0x00010000ULL
/* Live entries whose process exited unseen (no exit rule in the kernel:
 * every short-lived process) would fill the table to its bound: this
 * often, the least recently used live entries not looked at for
 * PT_LIVE_CHECK_MS are checked for their /proc directory, at most
 * PT_LIVE_SWEEP_MAX per sweep (one access(2) each); gone ones are marked
 * dead and leave after the grace period. */
#define PT_LIVE_SWEEP_MS 100
#define PT_LIVE_SWEEP_MAX 256
#define PT_LIVE_CHECK_MS 5000

/* Where an entry's argv0/args came from. PROCTITLE is not trusted over
 * the table: the kernel keeps a task's proctitle from its first audited
 * syscall, across execve. What a fork inherited is good only until the
 * child execs, which PROCTITLE may show when the exec was not seen. */
enum pt_argv_src {
	PT_ARGV_NONE,
	PT_ARGV_INHERITED, /* the parent's, copied at fork */
	PT_ARGV_TITLE, /* from a PROCTITLE record */
	PT_ARGV_PROC, /* /proc/PID/cmdline */
	PT_ARGV_EXEC, /* the process's own execve (EXECVE record) */
};

struct pt_entry {
	pid_t pid, ppid, vpid, sid;
	enum pt_argv_src argv_src;
	uint32_t uid;
	uint64_t start_time;
	uint64_t start_ns; /* epoch ns; 0 unknown */
	pid_t pgid, vpgid;
	bool has_caps, caps_tried;
	uint64_t cap_inh, cap_prm, cap_eff;
	uint64_t exe_ino; /* from the exec's PATH record; 0 unknown */
	/* looked up when a rule asks; reset at exec */
	char *env;
	size_t env_len;
	bool env_tried, exe_tried;
	struct proc_exe_facts exe_facts;
	char *comm, *exe, *argv0, *args, *cmdline, *cwd;
	struct cgroup_match *cg; /* NULL = host or unknown */
	bool dead;
	uint64_t dead_at_ms;
	uint64_t gone_checked_ms; /* last time /proc said it is gone */
	uint64_t seen_ms; /* created, or last found alive by the sweep */
	struct pt_entry *hnext;
	struct pt_entry *prev, *next; /* in live (LRU) or dead (FIFO) list */
};

struct pt_list {
	struct pt_entry *head, *tail;
};

struct proctable {
	char *proc_root;
	bool offline; /* events only: never reads /proc or runtime state */
	bool own_proc; /* proc_root is this pid namespace's /proc */
	struct container_cache *cc;
	struct pathres *pr;
	struct fdtable *ft;
	struct pt_entry **buckets;
	size_t nbuckets; /* power of two */
	size_t n;
	struct pt_list live; /* head = most recently used */
	struct pt_list dead; /* head = died first */
	uint64_t live_swept_ms;
	struct proctable_stats stats;
	struct event_lineage lineage; /* put on every enriched event */
	const struct hclock *clock; /* NULL: the system's */
	/* The process's command line put on the event being enriched
	 * (copied: an entry may go while the engine walks ancestors). */
	struct strbuf ev_args;
	const char *ev_argv[3];
};

/* --- small helpers ------------------------------------------------------ */

static uint64_t pt_now_ms(const struct proctable *pt)
{
	return clock_mono_ms(pt->clock);
}

/* Epoch ns of a start time in clock ticks since boot (/proc/PID/stat). */
static uint64_t pt_ticks_to_ns(uint64_t ticks)
{
	static uint64_t boot_ns;
	static long hz;
	struct timespec rt, bt;

	if (!ticks)
		return 0;
	if (!hz) {
		hz = sysconf(_SC_CLK_TCK);
		if (hz <= 0)
			hz = 100;
		(void)clock_gettime(CLOCK_REALTIME, &rt);
		(void)clock_gettime(CLOCK_BOOTTIME, &bt);
		boot_ns = ((uint64_t)rt.tv_sec * 1000000000u +
			   (uint64_t)rt.tv_nsec) -
			  ((uint64_t)bt.tv_sec * 1000000000u +
			   (uint64_t)bt.tv_nsec);
	}
	return boot_ns + ticks * (1000000000u / (uint64_t)hz);
}

static void pt_list_unlink(struct pt_list *l, struct pt_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		l->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		l->tail = e->prev;
	e->prev = e->next = NULL;
}

static void pt_list_push_head(struct pt_list *l, struct pt_entry *e)
{
	e->prev = NULL;
	e->next = l->head;
	if (l->head)
		l->head->prev = e;
	l->head = e;
	if (!l->tail)
		l->tail = e;
}

static void pt_list_push_tail(struct pt_list *l, struct pt_entry *e)
{
	e->next = NULL;
	e->prev = l->tail;
	if (l->tail)
		l->tail->next = e;
	l->tail = e;
	if (!l->head)
		l->head = e;
}

static size_t pt_hash(const struct proctable *pt, pid_t pid)
{
	return (size_t)(((uint32_t)pid * 2654435761u) & (pt->nbuckets - 1));
}

static void pt_entry_clear_strings(struct pt_entry *e)
{
	free(e->comm);
	free(e->exe);
	free(e->argv0);
	free(e->args);
	free(e->cmdline);
	free(e->cwd);
	e->comm = e->exe = e->argv0 = e->args = e->cmdline = e->cwd = NULL;
}

static void pt_entry_free(struct pt_entry *e)
{
	if (!e)
		return;
	free(e->env);
	pt_entry_clear_strings(e);
	free(e->cg);
	free(e);
}

static char *pt_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Replace *field with a copy of s (NULL allowed). */
static void pt_set(char **field, const char *s)
{
	char *c = pt_strdup(s);

	if (s && !c)
		return; /* keep the old value rather than lose it */
	free(*field);
	*field = c;
}

/* Falco's proc.cmdline: "comm args". */
static void pt_update_cmdline(struct pt_entry *e)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_appends(&sb, e->comm ? e->comm : "");
	if (e->args && *e->args) {
		strbuf_appendc(&sb, ' ');
		strbuf_appends(&sb, e->args);
	}
	if (sb.len > HARRIER_MAX_CMDLINE) {
		sb.len = HARRIER_MAX_CMDLINE;
		sb.buf[sb.len] = '\0';
	}
	if (strbuf_failed(&sb)) {
		strbuf_free(&sb);
		return;
	}
	free(e->cmdline);
	e->cmdline = strbuf_steal(&sb);
}

/* --- table -------------------------------------------------------------- */

struct proctable *proctable_new_offline(void)
{
	struct proctable *pt = proctable_new("/proc");

	if (pt) {
		pt->offline = true;
		pathres_free(pt->pr);
		fdtable_free(pt->ft);
		pt->pr = pathres_new(NULL, true);
		pt->ft = fdtable_new(NULL, true);
		if (!pt->pr || !pt->ft) {
			proctable_free(pt);
			return NULL;
		}
	}
	return pt;
}

static int lineage_ancestor(void *ctx, pid_t pid, unsigned int n,
			    struct proc_view *ret)
{
	return proctable_ancestor(ctx, pid, n, ret);
}

static struct pt_entry *pt_lookup(const struct proctable *pt, pid_t pid);
static ssize_t pt_read_proc_file(const struct proctable *pt, pid_t pid,
				 const char *name, char *buf, size_t size);

static int lineage_environ(void *ctx, pid_t pid, const char **ret,
			   size_t *ret_len)
{
	struct proctable *pt = ctx;
	struct pt_entry *e = pt_lookup(pt, pid);
	char *buf;
	ssize_t n;

	if (!e)
		return -ENOENT;
	if (!e->env_tried && !e->dead && !pt->offline) {
		e->env_tried = true;
		buf = malloc(HARRIER_PROC_ENV_MAX);
		if (!buf)
			return -ENOMEM;
		n = pt_read_proc_file(pt, pid, "environ", buf,
				      HARRIER_PROC_ENV_MAX);
		if (n > 0) {
			e->env = realloc(buf, (size_t)n + 1);
			if (!e->env)
				e->env = buf;
			e->env_len = (size_t)n;
		} else {
			free(buf);
		}
	}
	if (!e->env)
		return -ENOENT;
	*ret = e->env;
	*ret_len = e->env_len;
	return 0;
}

/* The root mount of pid's mount namespace is an overlay whose upper
 * directory holds exe: the file was written in the container, not taken
 * from the image (Falco's proc.is_exe_upper_layer). */
static int pt_exe_upper(struct proctable *pt, pid_t pid, const char *exe)
{
	char *buf = malloc(HARRIER_PROC_FILE_MAX), *line, *nl;
	char path[4096];
	int r = 0;
	ssize_t n;
	struct stat st;

	if (!buf)
		return -1;
	n = pt_read_proc_file(pt, pid, "mountinfo", buf, HARRIER_PROC_FILE_MAX);
	if (n <= 0) {
		free(buf);
		return -1;
	}
	for (line = buf; line && *line; line = nl ? nl + 1 : NULL) {
		char *sep, *up, *end;
		const char *mp;
		size_t ul;

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		/* "ID PARENT M:N ROOT MOUNTPOINT OPTS ... - FSTYPE SRC SUPER" */
		mp = line;
		for (int k = 0; k < 4 && mp; k++) {
			mp = strchr(mp, ' ');
			if (mp)
				mp++;
		}
		if (!mp || strncmp(mp, "/ ", 2) != 0)
			continue;
		sep = strstr(line, " - overlay ");
		if (!sep)
			break; /* not an overlay: nothing is "upper" */
		up = strstr(sep, "upperdir=");
		if (!up)
			break;
		up += 9;
		end = up + strcspn(up, ", ");
		ul = (size_t)(end - up);
		if (snprintf(path, sizeof(path), "%.*s%s", (int)ul, up, exe) <
			    (int)sizeof(path) &&
		    lstat(path, &st) == 0 && S_ISREG(st.st_mode))
			r = 1;
		break;
	}
	free(buf);
	return r;
}

static int lineage_exe_facts(void *ctx, pid_t pid, struct proc_exe_facts *ret)
{
	struct proctable *pt = ctx;
	struct pt_entry *e = pt_lookup(pt, pid);
	char path[4096];
	struct stat st;

	if (!e)
		return -ENOENT;
	if (!e->exe_tried) {
		struct proc_exe_facts *f = &e->exe_facts;

		e->exe_tried = true;
		f->ino = e->exe_ino;
		f->mtime_ns = f->ctime_ns = 0;
		f->upper_layer = -1;
		f->from_memfd = e->exe ? strncmp(e->exe, "/memfd:", 7) == 0
				       : -1;
		if (!e->dead && !pt->offline &&
		    snprintf(path, sizeof(path), "%s/%d/exe", pt->proc_root,
			     (int)pid) < (int)sizeof(path) &&
		    stat(path, &st) == 0) {
			f->ino = (uint64_t)st.st_ino;
			f->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
				      st.st_mtim.tv_nsec;
			f->ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 +
				      st.st_ctim.tv_nsec;
			if (e->exe && e->exe[0] == '/' && f->from_memfd != 1)
				f->upper_layer = e->cg ? pt_exe_upper(pt, pid,
								      e->exe)
						       : 0;
		}
	}
	*ret = e->exe_facts;
	return 0;
}

struct proctable *proctable_new(const char *proc_root)
{
	struct proctable *pt;
	char root[4096];
	size_t n;

	if (!proc_root)
		proc_root = "/proc";
	pt = calloc(1, sizeof(*pt));
	if (!pt)
		return NULL;
	n = strlen(proc_root);
	while (n > 1 && proc_root[n - 1] == '/')
		n--;
	pt->proc_root = strndup(proc_root, n);
	pt->own_proc = n == 5 && memcmp(proc_root, "/proc", 5) == 0;
	pt->nbuckets = PT_MIN_BUCKETS;
	pt->buckets = calloc(pt->nbuckets, sizeof(*pt->buckets));
	pt->lineage.ancestor = lineage_ancestor;
	pt->lineage.environ = lineage_environ;
	pt->lineage.exe_facts = lineage_exe_facts;
	pt->lineage.ctx = pt;
	if (!pt->proc_root || !pt->buckets)
		goto fail;
	/* Container runtime state lives beside the proc tree: "/" for
	 * "/proc", DIR for a test's "DIR/proc". */
	if (n >= sizeof(root))
		goto fail;
	memcpy(root, pt->proc_root, n + 1);
	{
		char *slash = strrchr(root, '/');

		if (slash && slash != root)
			*slash = '\0';
		else
			memcpy(root, "/", 2);
	}
	pt->cc = container_cache_new(root);
	pt->pr = pathres_new(pt->proc_root, false);
	pt->ft = fdtable_new(pt->proc_root, false);
	if (!pt->cc || !pt->pr || !pt->ft)
		goto fail;
	return pt;
fail:
	proctable_free(pt);
	return NULL;
}

void proctable_set_clock(struct proctable *pt, const struct hclock *clock)
{
	pt->clock = clock;
	container_cache_set_clock(pt->cc, clock);
}

void proctable_free(struct proctable *pt)
{
	struct pt_entry *e, *next;

	if (!pt)
		return;
	for (e = pt->live.head; e; e = next) {
		next = e->next;
		pt_entry_free(e);
	}
	for (e = pt->dead.head; e; e = next) {
		next = e->next;
		pt_entry_free(e);
	}
	container_cache_free(pt->cc);
	pathres_free(pt->pr);
	fdtable_free(pt->ft);
	strbuf_free(&pt->ev_args);
	free(pt->buckets);
	free(pt->proc_root);
	free(pt);
}

static struct pt_entry *pt_lookup(const struct proctable *pt, pid_t pid)
{
	struct pt_entry *e;

	for (e = pt->buckets[pt_hash(pt, pid)]; e; e = e->hnext)
		if (e->pid == pid)
			return e;
	return NULL;
}

static void pt_hash_unlink(struct proctable *pt, struct pt_entry *e)
{
	struct pt_entry **pp;

	for (pp = &pt->buckets[pt_hash(pt, e->pid)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == e) {
			*pp = e->hnext;
			return;
		}
	}
}

static void pt_remove(struct proctable *pt, struct pt_entry *e)
{
	fdtable_forget(pt->ft, e->pid);
	pt_hash_unlink(pt, e);
	pt_list_unlink(e->dead ? &pt->dead : &pt->live, e);
	pt->n--;
	pt_entry_free(e);
}

static void pt_grow(struct proctable *pt)
{
	struct pt_entry **nb, *e, *next;
	size_t i, old = pt->nbuckets, nn = old * 2;

	nb = calloc(nn, sizeof(*nb));
	if (!nb)
		return; /* longer chains, still correct */
	for (i = 0; i < old; i++) {
		for (e = pt->buckets[i]; e; e = next) {
			size_t h = (size_t)(((uint32_t)e->pid * 2654435761u) &
					    (nn - 1));

			next = e->hnext;
			e->hnext = nb[h];
			nb[h] = e;
		}
	}
	free(pt->buckets);
	pt->buckets = nb;
	pt->nbuckets = nn;
}

/* Insert a new entry (pid not in the table), evicting first when full:
 * the longest-dead entry, else the least recently used live one. */
static void pt_insert(struct proctable *pt, struct pt_entry *e)
{
	size_t h;

	while (pt->n >= HARRIER_PROCTABLE_MAX) {
		struct pt_entry *v = pt->dead.head ? pt->dead.head
						   : pt->live.tail;

		if (!v)
			break;
		pt_remove(pt, v);
		pt->stats.evictions++;
	}
	if (pt->n >= pt->nbuckets && pt->nbuckets < 2 * HARRIER_PROCTABLE_MAX)
		pt_grow(pt);
	if (!e->seen_ms)
		e->seen_ms = pt_now_ms(pt);
	h = pt_hash(pt, e->pid);
	e->hnext = pt->buckets[h];
	pt->buckets[h] = e;
	if (e->dead)
		pt_list_push_tail(&pt->dead, e);
	else
		pt_list_push_head(&pt->live, e);
	pt->n++;
}

static void pt_touch(struct proctable *pt, struct pt_entry *e)
{
	if (e->dead || pt->live.head == e)
		return;
	pt_list_unlink(&pt->live, e);
	pt_list_push_head(&pt->live, e);
}

static void pt_mark_dead(struct proctable *pt, struct pt_entry *e, uint64_t now)
{
	if (e->dead)
		return;
	pt_list_unlink(&pt->live, e);
	e->dead = true;
	e->dead_at_ms = now;
	pt_list_push_tail(&pt->dead, e);
}

static void pt_revive(struct proctable *pt, struct pt_entry *e)
{
	if (!e->dead)
		return;
	pt_list_unlink(&pt->dead, e);
	e->dead = false;
	e->gone_checked_ms = 0;
	pt_list_push_head(&pt->live, e);
}

static void pt_sweep_dead(struct proctable *pt, uint64_t now)
{
	while (pt->dead.head && now - pt->dead.head->dead_at_ms >=
					HARRIER_PROCTABLE_DEAD_GRACE_MS) {
		pt_remove(pt, pt->dead.head);
		pt->stats.evictions++;
	}
}

/* Walk the live list from its least recently used end: an entry not
 * used or checked for PT_LIVE_CHECK_MS whose /proc directory is gone
 * exited without an exit event; one still there goes to the head. */
static void pt_sweep_live(struct proctable *pt, uint64_t now)
{
	char path[4096];
	unsigned int i;

	if (pt->offline || now - pt->live_swept_ms < PT_LIVE_SWEEP_MS)
		return;
	pt->live_swept_ms = now;
	for (i = 0; i < PT_LIVE_SWEEP_MAX && pt->live.tail; i++) {
		struct pt_entry *e = pt->live.tail;
		int n;

		if (now - e->seen_ms < PT_LIVE_CHECK_MS)
			break;
		n = snprintf(path, sizeof(path), "%s/%d", pt->proc_root,
			     (int)e->pid);
		if (n > 0 && (size_t)n < sizeof(path) &&
		    access(path, F_OK) < 0 && errno == ENOENT) {
			pt_mark_dead(pt, e, now);
			e->gone_checked_ms = now;
			continue;
		}
		e->seen_ms = now;
		pt_list_unlink(&pt->live, e);
		pt_list_push_head(&pt->live, e);
	}
}

/* --- /proc -------------------------------------------------------------- */

/* Up to size-1 bytes of proc_root/PID/name, NUL-terminated. Returns the
 * length or -errno. */
static ssize_t pt_read_proc_file(const struct proctable *pt, pid_t pid,
				 const char *name, char *buf, size_t size)
{
	char path[4096];
	size_t len = 0;
	int fd, n;

	if (pt->offline)
		return -ENOENT;
	n = snprintf(path, sizeof(path), "%s/%d/%s", pt->proc_root, (int)pid,
		     name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		ssize_t k = read(fd, buf + len, size - 1 - len);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			(void)close(fd);
			return n;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	(void)close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

static char *pt_readlink(const struct proctable *pt, pid_t pid,
			 const char *name)
{
	char path[4096], target[4096];
	ssize_t k;
	int n;

	if (pt->offline)
		return NULL;
	n = snprintf(path, sizeof(path), "%s/%d/%s", pt->proc_root, (int)pid,
		     name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return NULL;
	k = readlink(path, target, sizeof(target) - 1);
	if (k <= 0)
		return NULL;
	target[k] = '\0';
	return strdup(target);
}

struct pt_stat {
	char comm[64];
	char state; /* R S D Z X ... */
	pid_t ppid, pgid, sid;
	uint64_t start_time;
};

/* /proc/PID/stat: "pid (comm) state ppid pgrp session ... starttime(22)".
 * comm may hold spaces and parentheses: it ends at the last ')'. */
static int pt_parse_stat(const char *buf, struct pt_stat *ret)
{
	const char *l = strchr(buf, '('), *r = strrchr(buf, ')'), *p;
	struct pt_stat st;
	int field;

	if (!l || !r || r < l)
		return -EINVAL;
	memset(&st, 0, sizeof(st));
	if ((size_t)(r - l - 1) >= sizeof(st.comm))
		return -EINVAL;
	memcpy(st.comm, l + 1, (size_t)(r - l - 1));
	p = r + 1;
	for (field = 3; field <= 22; field++) {
		char tok[32];
		size_t n;
		uint64_t v;

		while (*p == ' ')
			p++;
		n = strcspn(p, " \n");
		if (n == 0 || n >= sizeof(tok))
			return -EINVAL;
		memcpy(tok, p, n);
		tok[n] = '\0';
		p += n;
		if (field == 3)
			st.state = tok[0];
		if (field != 4 && field != 5 && field != 6 && field != 22)
			continue;
		if (parse_u64(tok, 10, &v) < 0)
			return -EINVAL;
		if (field == 4)
			st.ppid = (pid_t)v;
		else if (field == 5)
			st.pgid = (pid_t)v;
		else if (field == 6)
			st.sid = (pid_t)v;
		else
			st.start_time = v;
	}
	*ret = st;
	return 0;
}

static int pt_read_stat(const struct proctable *pt, pid_t pid,
			struct pt_stat *ret)
{
	char buf[1024];
	ssize_t n = pt_read_proc_file(pt, pid, "stat", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	return pt_parse_stat(buf, ret);
}

/* Real uid and the innermost NSpid from /proc/PID/status. */
static void pt_read_status(const struct proctable *pt, pid_t pid,
			   struct pt_entry *e)
{
	char buf[HARRIER_PROC_FILE_MAX];
	const char *line;
	unsigned int caps = 0;

	if (pt_read_proc_file(pt, pid, "status", buf, sizeof(buf)) < 0)
		return;
	for (line = buf; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t ln = end ? (size_t)(end - line) : strlen(line);
		char tmp[256];
		uint64_t v;

		if (ln < sizeof(tmp) && strncmp(line, "Cap", 3) == 0 &&
		    ln > 8 && line[6] == ':') {
			/* CapInh: CapPrm: CapEff: hex */
			memcpy(tmp, line + 7, ln - 7);
			tmp[ln - 7] = '\0';
			if (parse_u64(tmp + strspn(tmp, "\t "), 16, &v) == 0) {
				if (!strncmp(line, "CapInh", 6))
					e->cap_inh = v, caps |= 1;
				else if (!strncmp(line, "CapPrm", 6))
					e->cap_prm = v, caps |= 2;
				else if (!strncmp(line, "CapEff", 6))
					e->cap_eff = v, caps |= 4;
			}
		}
		if (ln < sizeof(tmp) && strncmp(line, "NSpgid:", 7) == 0) {
			const char *q = strrchr(line, '\t');
			char num[24];
			size_t k;

			q = q && q < line + ln ? q + 1 : line + 7;
			k = (size_t)(line + ln - q);
			if (k > 0 && k < sizeof(num)) {
				memcpy(num, q, k);
				num[k] = '\0';
				if (parse_u64(num + strspn(num, " "), 10, &v) == 0)
					e->vpgid = (pid_t)v;
			}
		}
		if (ln < sizeof(tmp) && (strncmp(line, "Uid:", 4) == 0 ||
					 strncmp(line, "NSpid:", 6) == 0)) {
			const char *p, *last = NULL;
			size_t k;

			memcpy(tmp, line, ln);
			tmp[ln] = '\0';
			/* Uid: first number; NSpid: last number. */
			for (p = strchr(tmp, ':') + 1; *p;) {
				while (*p == '\t' || *p == ' ')
					p++;
				if (!*p)
					break;
				last = p;
				if (tmp[0] == 'U')
					break;
				p += strcspn(p, "\t ");
			}
			if (last) {
				char num[24];

				k = strcspn(last, "\t ");
				if (k > 0 && k < sizeof(num)) {
					memcpy(num, last, k);
					num[k] = '\0';
					if (parse_u64(num, 10, &v) == 0) {
						if (tmp[0] == 'U')
							e->uid = (uint32_t)v;
						else
							e->vpid = (pid_t)v;
					}
				}
			}
		}
		line = end ? end + 1 : NULL;
	}
	if (caps == 7)
		e->has_caps = true;
	e->caps_tried = true;
}

/* argv[0] and the space-joined rest from a NUL-separated buffer. */
static void pt_set_argv_raw(struct pt_entry *e, char *buf, size_t len)
{
	size_t i, a0;

	while (len > 0 && buf[len - 1] == '\0')
		len--;
	if (len == 0)
		return;
	a0 = strnlen(buf, len);
	pt_set(&e->argv0, buf);
	if (a0 >= len) {
		pt_set(&e->args, "");
		return;
	}
	for (i = a0 + 1; i < len; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[len] = '\0';
	pt_set(&e->args, buf + a0 + 1);
}

/* The container from /proc/PID/cgroup. keep: an entry already in a
 * container stays there when the file now says host: processes do not
 * leave containers, but a zombie's cgroup v1 lines read "/" (and a
 * process that escaped to the root cgroup is still the container's). */
static int pt_read_cgroup(struct proctable *pt, pid_t pid, struct pt_entry *e,
			  bool keep)
{
	char buf[HARRIER_PROC_FILE_MAX];
	struct cgroup_match m;
	ssize_t n = pt_read_proc_file(pt, pid, "cgroup", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	/* A file longer than the buffer: parse only the whole lines. */
	if ((size_t)n == sizeof(buf) - 1) {
		char *nl = strrchr(buf, '\n');

		n = nl ? nl - buf + 1 : 0;
	}
	if (cgroup_parse(buf, (size_t)n, &m) == 1) {
		if (!e->cg)
			e->cg = malloc(sizeof(*e->cg));
		if (e->cg)
			*e->cg = m;
		return 1;
	}
	if (!keep) {
		free(e->cg);
		e->cg = NULL;
	}
	return 0;
}

/* A new entry from /proc/PID, or NULL when the process is gone. */
static struct pt_entry *pt_read_proc(struct proctable *pt, pid_t pid)
{
	char cmd[HARRIER_MAX_CMDLINE + 1];
	struct pt_entry *e;
	struct pt_stat st, again;
	ssize_t n;
	int cg;

	pt->stats.proc_reads++;
	/* A zombie has no exe, cmdline or (cgroup v1) cgroup left: it is
	 * as good as gone, and its parent knows more. */
	if (pt_read_stat(pt, pid, &st) < 0 || st.state == 'Z' ||
	    st.state == 'X') {
		pt->stats.proc_misses++;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->pid = pid;
	e->ppid = st.ppid;
	e->sid = st.sid;
	e->pgid = st.pgid;
	e->start_time = st.start_time;
	e->start_ns = pt_ticks_to_ns(st.start_time);
	e->comm = strdup(st.comm);
	cg = pt_read_cgroup(pt, pid, e, false);
	pt_read_status(pt, pid, e);
	n = pt_read_proc_file(pt, pid, "cmdline", cmd, sizeof(cmd));
	if (n > 0) {
		pt_set_argv_raw(e, cmd, (size_t)n);
		if (e->argv0)
			e->argv_src = PT_ARGV_PROC;
	}
	e->exe = pt_readlink(pt, pid, "exe");
	e->cwd = pt_readlink(pt, pid, "cwd");
	pt_update_cmdline(e);
	/* A short-lived process can exit while it is read: its cgroup file
	 * gone, or (past cgroup_exit, before it is a zombie) cgroup v1
	 * lines that read "/". A host answer is believed only when the
	 * process is still there after the reads; otherwise its parent
	 * knows better. */
	if (cg == -ENOENT || cg == -ESRCH ||
	    (cg == 0 &&
	     (pt_read_stat(pt, pid, &again) < 0 || again.state == 'Z' ||
	      again.state == 'X' || again.start_time != st.start_time))) {
		pt->stats.proc_misses++;
		pt_entry_free(e);
		return NULL;
	}
	return e;
}

/* A successful exec of a pid not in the table. The event carries exe,
 * cwd, uid, comm, argv and the parent: /proc is read only for what it
 * lacks: the cgroup (the container), then stat (start time against pid
 * reuse, session; and proof the process was still there after the cgroup
 * read, as pt_read_proc checks), and status (the pid inside the
 * container's namespace) only for a container's process. NULL when the
 * process is gone and no container was found. */
static struct pt_entry *pt_read_exec(struct proctable *pt,
				     const struct event *ev)
{
	struct pt_entry *e, *p;
	struct pt_stat st;
	int cg, rs;

	pt->stats.proc_reads++;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->pid = ev->pid;
	e->ppid = ev->ppid;
	e->uid = ev->uid;
	/* Most execs handled here are of processes that already exited (a
	 * shell's short commands). kill(pid, 0) says so for a seventh of
	 * what the failing /proc path walk costs (4 us). */
	if (pt->own_proc && kill(ev->pid, 0) < 0 && errno == ESRCH)
		cg = -ESRCH;
	else
		cg = pt_read_cgroup(pt, ev->pid, e, false);
	rs = cg < 0 ? -ENOENT : pt_read_stat(pt, ev->pid, &st);
	if (rs == 0 && st.state != 'Z' && st.state != 'X') {
		e->ppid = st.ppid;
		e->sid = st.sid;
		e->pgid = st.pgid;
		e->start_time = st.start_time;
		e->start_ns = pt_ticks_to_ns(st.start_time);
		e->comm = strdup(st.comm);
		if (cg == 1)
			pt_read_status(pt, ev->pid, e);
		return e;
	}
	pt->stats.proc_misses++;
	if (cg != 1) {
		pt_entry_free(e);
		return NULL;
	}
	/* In a container, and gone already: keep it for the grace period.
	 * Its session is its parent's (only setsid changes it, and a
	 * process that exits this fast ran none we could see). */
	p = ev->ppid > 0 && ev->ppid != ev->pid ? pt_lookup(pt, ev->ppid)
						: NULL;
	if (p)
		e->sid = p->sid;
	e->dead = true;
	e->dead_at_ms = pt_now_ms(pt);
	e->gone_checked_ms = e->dead_at_ms;
	return e;
}

/* Copy what a child shares with its parent at fork. */
static struct pt_entry *pt_inherit(const struct pt_entry *p, pid_t pid)
{
	struct pt_entry *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->pid = pid;
	e->ppid = p->pid;
	e->sid = p->sid;
	e->uid = p->uid;
	e->comm = pt_strdup(p->comm);
	e->exe = pt_strdup(p->exe);
	e->argv0 = pt_strdup(p->argv0);
	e->args = pt_strdup(p->args);
	e->cmdline = pt_strdup(p->cmdline);
	e->cwd = pt_strdup(p->cwd);
	e->argv_src = p->argv0 ? PT_ARGV_INHERITED : PT_ARGV_NONE;
	e->pgid = p->pgid;
	e->vpgid = p->vpgid;
	e->has_caps = p->has_caps;
	e->cap_inh = p->cap_inh;
	e->cap_prm = p->cap_prm;
	e->cap_eff = p->cap_eff;
	e->exe_ino = p->exe_ino;
	if (p->cg) {
		e->cg = malloc(sizeof(*e->cg));
		if (e->cg)
			*e->cg = *p->cg;
	}
	return e;
}

/* The entry for pid, reading /proc when unknown. When the entry is dead,
 * or when the caller saw a different parent, /proc says whether the pid
 * was reused (start time differs): then the entry is replaced. An entry
 * whose parent differs from the one the caller saw, with the pid gone from
 * /proc, belonged to an earlier process (pid reuse: a busy container wraps
 * a 32768 pid space in seconds): it is dropped and NULL returned, so the
 * caller attributes the new process from its own parent. */
/* Is pid a process in a container, as far as the table knows? */
static bool pt_in_container(struct proctable *pt, pid_t pid)
{
	struct pt_entry *p = pt_lookup(pt, pid);

	return p && p->cg;
}

static bool pt_gone(struct proctable *pt, pid_t pid)
{
	struct pt_entry *p = pt_lookup(pt, pid);

	if (p && p->dead)
		return true;
	return pt->own_proc && kill(pid, 0) < 0 && errno == ESRCH;
}

static struct pt_entry *pt_find(struct proctable *pt, pid_t pid,
				pid_t seen_ppid, const char *seen_exe,
				bool *ret_fresh)
{
	struct pt_entry *e = pt_lookup(pt, pid);
	bool other_parent = e && seen_ppid > 0 && seen_ppid != e->ppid;
	struct pt_stat st;

	/* A process whose parent exited is reparented (to init or a
	 * subreaper): the same process, running the same program, under a
	 * new parent after the old one is gone, is not a reused pid. */
	if (other_parent && seen_exe && e->exe && strcmp(seen_exe, e->exe) == 0 &&
	    pt_gone(pt, e->ppid)) {
		e->ppid = seen_ppid;
		other_parent = false;
	}

	*ret_fresh = false;
	if (e && e->dead && !other_parent && e->gone_checked_ms &&
	    pt_now_ms(pt) - e->gone_checked_ms < PT_DEAD_RECHECK_MS)
		return e;
	if (e && (e->dead || other_parent)) {
		pt->stats.proc_reads++;
		if (pt_read_stat(pt, pid, &st) < 0 ||
		    (other_parent && (st.state == 'Z' || st.state == 'X'))) {
			pt->stats.proc_misses++;
			/* Gone with another parent: a new process on a reused
			 * pid, or the same one reparented when its parent
			 * exited (a runtime's init once `runc create` is
			 * done, exec'd into the container's first process,
			 * now a child of conmon or the shim). A container's
			 * process whose new parent is not in a container
			 * can only have been reparented. */
			if (other_parent && e->cg &&
			    !pt_in_container(pt, seen_ppid)) {
				e->ppid = seen_ppid;
				e->gone_checked_ms = pt_now_ms(pt);
				return e;
			}
			if (other_parent) {
				pt_remove(pt, e);
				return NULL;
			}
			e->gone_checked_ms = pt_now_ms(pt);
		} else if (e->start_time ? st.start_time != e->start_time
					 : e->dead) {
			/* A different process now has this pid (an entry
			 * without a start time was built after its process
			 * was gone, so a live pid is a new one). */
			pt_remove(pt, e);
			e = NULL;
		} else {
			e->start_time = st.start_time;
			e->ppid = st.ppid;
			e->sid = st.sid;
			/* an exited process stays a zombie until reaped */
			if (st.state != 'Z' && st.state != 'X')
				pt_revive(pt, e);
		}
	}
	if (e)
		return e;
	e = pt_read_proc(pt, pid);
	if (!e)
		return NULL;
	pt_insert(pt, e);
	*ret_fresh = true;
	return e;
}

/* --- events ------------------------------------------------------------- */

static bool pt_is(const char *name, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(name, *set) == 0)
			return true;
	return false;
}

/* A runtime's init (runc init) exec'd the container's first process in
 * place and it exited before its cgroup was read (`podman run IMG cat
 * /etc/shadow`): the runtime's state names it as the container's init.
 * Its parent may already be init or a subreaper (`runc run -d` exited),
 * so any gone process is looked up (container_find_init caches). */
static void pt_attribute_init(struct proctable *pt, struct pt_entry *e,
			      uint64_t event_ns)
{
	struct cgroup_match m;

	if (e->cg || pt->offline)
		return;
	if (container_find_init(pt->cc, e->pid, event_ns, &m) != 1)
		return;
	e->cg = malloc(sizeof(*e->cg));
	if (e->cg)
		*e->cg = m;
}

static void pt_apply_exec(struct proctable *pt, struct pt_entry *e,
			  const struct event *ev, bool fresh)
{
	const struct event_path *prog = ev->npaths ? &ev->paths[0] : NULL;
	int cg = 0;

	/* what depended on the old program */
	free(e->env);
	e->env = NULL;
	e->env_len = 0;
	e->env_tried = e->exe_tried = false;
	e->exe_ino = prog && prog->has_inode ? prog->inode : 0;
	if (ev->has_caps) {
		e->has_caps = true;
		e->cap_inh = ev->cap_inh;
		e->cap_prm = ev->cap_prm;
		e->cap_eff = ev->cap_eff;
	} else {
		e->has_caps = e->caps_tried = false;
	}

	if (ev->comm)
		pt_set(&e->comm, ev->comm);
	if (ev->exe)
		pt_set(&e->exe, ev->exe);
	if (ev->cwd)
		pt_set(&e->cwd, ev->cwd);
	e->uid = ev->uid;
	if (ev->argc > 0 && ev->argv && ev->argv[0]) {
		struct strbuf sb = STRBUF_INIT;
		size_t i;

		for (i = 1; i < ev->argc && sb.len < HARRIER_MAX_CMDLINE; i++) {
			if (!ev->argv[i])
				continue;
			if (i > 1)
				strbuf_appendc(&sb, ' ');
			strbuf_appends(&sb, ev->argv[i]);
		}
		if (sb.len > HARRIER_MAX_CMDLINE) {
			sb.len = HARRIER_MAX_CMDLINE;
			sb.buf[sb.len] = '\0';
		}
		pt_set(&e->argv0, ev->argv[0]);
		if (!strbuf_failed(&sb))
			pt_set(&e->args, strbuf_str(&sb));
		strbuf_free(&sb);
		e->argv_src = ev->argv_from_execve ? PT_ARGV_EXEC
						   : PT_ARGV_TITLE;
	}
	pt_update_cmdline(e);
	/* The runtime moves its init into the container's cgroup between
	 * fork and exec: what was inherited at fork may be the host's. An
	 * entry just built from its parent because /proc had no cgroup
	 * file for it (dead) has nothing more to read. */
	if (!fresh && !e->dead)
		cg = pt_read_cgroup(pt, e->pid, e, true);
	if (cg < 0 || e->dead)
		pt_attribute_init(pt, e, ev->time_ns);
}

static void pt_apply_fork(struct proctable *pt, struct pt_entry *parent,
			  pid_t child, uint64_t ev_time_ns)
{
	struct pt_entry *c = pt_lookup(pt, child), *n;
	struct pt_stat st;

	/* The child's own events can be processed before the parent's
	 * clone returns: keep what the child already told us. */
	if (c && c->ppid == parent->pid)
		return;
	n = pt_inherit(parent, child);
	if (!n)
		return;
	pt->stats.proc_reads++;
	n->start_ns = ev_time_ns;
	if (pt_read_stat(pt, child, &st) == 0 && st.ppid == parent->pid) {
		n->start_time = st.start_time;
		n->start_ns = pt_ticks_to_ns(st.start_time);
		n->sid = st.sid;
		n->pgid = st.pgid;
		/* uid is the parent's; the pid in a container's namespace
		 * is the only thing status adds */
		if (n->cg)
			pt_read_status(pt, child, n);
	} else {
		pt->stats.proc_misses++;
	}
	if (c)
		pt_remove(pt, c);
	pt_touch(pt, parent);
	pt_insert(pt, n);
	fdtable_fork(pt->ft, parent->pid, child);
}

/* A pid with no /proc entry any more: build it from its parent (the
 * container, session and cwd do not change across fork/exec) and the
 * event's own fields. */
static struct pt_entry *pt_from_parent(struct proctable *pt,
				       const struct event *ev)
{
	struct pt_entry *p = NULL, *e;
	bool fresh;

	if (ev->ppid > 0 && ev->ppid != ev->pid)
		p = pt_find(pt, ev->ppid, 0, NULL, &fresh);
	if (p) {
		pt_touch(pt, p);
		e = pt_inherit(p, ev->pid);
		pt->stats.attributed_from_parent++;
	} else {
		e = calloc(1, sizeof(*e));
		if (e) {
			e->pid = ev->pid;
			e->ppid = ev->ppid;
		}
	}
	if (!e)
		return NULL;
	e->uid = ev->uid;
	if (ev->comm)
		pt_set(&e->comm, ev->comm);
	if (ev->exe && (!e->exe || strcmp(e->exe, ev->exe) != 0)) {
		/* It exec'd since the fork: the parent's argv is not its. */
		pt_set(&e->exe, ev->exe);
		e->argv_src = PT_ARGV_NONE;
	}
	pt_update_cmdline(e);
	if (!e->start_ns)
		e->start_ns = ev->time_ns;
	/* Gone already: keep it only for the grace period. */
	e->dead = true;
	e->dead_at_ms = pt_now_ms(pt);
	e->gone_checked_ms = e->dead_at_ms;
	pt_insert(pt, e);
	return e;
}

/* The record's exe is the process's current one: an entry with another
 * exe missed an execve (not audited, or lost), so its comm and argv are
 * stale too. A live process's /proc/PID/cmdline says what it runs now;
 * otherwise the argv is unknown and the event's PROCTITLE is the best
 * left. (The first event of a process read from /proc may differ only in
 * how the path is written, e.g. inside a container's root: one re-read,
 * then the entry holds the record's spelling.) */
static void pt_note_exe(struct proctable *pt, struct pt_entry *e,
			const struct event *ev)
{
	char cmd[HARRIER_MAX_CMDLINE + 1];
	ssize_t n;
	bool had;

	if (!ev->exe || (e->exe && strcmp(e->exe, ev->exe) == 0))
		return;
	had = e->exe != NULL;
	pt_set(&e->exe, ev->exe);
	if (!had)
		return;
	if (ev->comm)
		pt_set(&e->comm, ev->comm);
	n = e->dead ? -ENOENT
		    : pt_read_proc_file(pt, e->pid, "cmdline", cmd,
					sizeof(cmd));
	if (n > 0) {
		pt_set_argv_raw(e, cmd, (size_t)n);
		e->argv_src = PT_ARGV_PROC;
	} else {
		e->argv_src = PT_ARGV_NONE;
	}
	pt_update_cmdline(e);
}

/* One definition of the event's command line (see struct event): the
 * event's own EXECVE, else the process's latest execve or /proc read,
 * else PROCTITLE, else what the process inherited. */
static void pt_event_argv(struct proctable *pt, struct pt_entry *e,
			  struct event *ev)
{
	size_t n0;

	if (ev->argv_from_execve)
		return;
	if (ev->argc > 0 && e->argv_src != PT_ARGV_EXEC &&
	    e->argv_src != PT_ARGV_PROC) {
		if (e->argv_src == PT_ARGV_NONE && ev->argv[0]) {
			/* Better than nothing for its children's view. */
			struct strbuf sb = STRBUF_INIT;
			size_t i;

			for (i = 1; i < ev->argc && sb.len < HARRIER_MAX_CMDLINE;
			     i++) {
				if (i > 1)
					strbuf_appendc(&sb, ' ');
				strbuf_appends(&sb, ev->argv[i] ? ev->argv[i]
								: "");
			}
			if (!strbuf_failed(&sb)) {
				pt_set(&e->argv0, ev->argv[0]);
				pt_set(&e->args, strbuf_str(&sb));
				e->argv_src = PT_ARGV_TITLE;
				pt_update_cmdline(e);
			}
			strbuf_free(&sb);
		}
		return;
	}
	if (!e->argv0)
		return;
	strbuf_reset(&pt->ev_args);
	strbuf_appends(&pt->ev_args, e->argv0);
	n0 = pt->ev_args.len;
	strbuf_appendc(&pt->ev_args, '\0');
	strbuf_appends(&pt->ev_args, e->args ? e->args : "");
	if (strbuf_failed(&pt->ev_args)) {
		strbuf_reset(&pt->ev_args);
		return;
	}
	pt->ev_argv[0] = pt->ev_args.buf;
	pt->ev_argv[1] = pt->ev_args.buf + n0 + 1;
	pt->ev_argv[2] = NULL;
	ev->argc = pt->ev_argv[1][0] ? 2 : 1;
	if (ev->argc == 1)
		pt->ev_argv[1] = NULL;
	ev->argv = pt->ev_argv;
	ev->argv_from_process = true;
	ev->argv_truncated = false;
}

void proctable_enrich(struct proctable *pt, struct event *ev)
{
	static const char *const execs[] = { "execve", "execveat", NULL };
	static const char *const forks[] = { "clone", "fork", "vfork", "clone3",
					     NULL };
	static const char *const exits[] = { "exit", "exit_group", NULL };
	static const char *const root_setup[] = { "mount", "pivot_root",
						  NULL };
	const char *sc = ev ? ev->syscall_name : NULL;
	struct pt_entry *e;
	bool fresh = false, exec = false;
	uint64_t now;

	if (!pt || !ev)
		return;
	ev->lineage = &pt->lineage;
	if (ev->pid <= 0)
		return;
	now = pt_now_ms(pt);
	pt_sweep_dead(pt, now);
	pt_sweep_live(pt, now);

	if (ev->kind == EVENT_KIND_SYSCALL && sc && ev->success != 0 &&
	    pt_is(sc, execs) && !pt->offline && !pt_lookup(pt, ev->pid)) {
		e = pt_read_exec(pt, ev);
		if (e) {
			pt_insert(pt, e);
			fresh = true;
		}
	} else {
		e = pt_find(pt, ev->pid, ev->ppid, ev->exe, &fresh);
	}
	if (e && fresh)
		pt->stats.attributed_from_self++;
	if (!e)
		e = pt_from_parent(pt, ev);
	if (!e) {
		pathres_enrich(pt->pr, ev);
		fdtable_enrich(pt->ft, ev);
		return;
	}

	if (ev->kind == EVENT_KIND_SYSCALL && sc && ev->success != 0) {
		if (pt_is(sc, execs)) {
			pt_apply_exec(pt, e, ev, fresh);
			exec = true;
		} else if (pt_is(sc, forks) && ev->has_exit && ev->exit > 0 &&
			   ev->exit != ev->pid &&
			   !(strcmp(sc, "clone") == 0 &&
			     (ev->args[0] & PT_CLONE_THREAD))) {
			pt_apply_fork(pt, e, (pid_t)ev->exit, ev->time_ns);
		}
	}
	/* A runtime's init (runc init) is moved into the container's cgroup
	 * after its exec and before it builds the root (mount, pivot_root):
	 * look again then, while it lives, so that the container's first
	 * process, exec'd in its place and often gone before its own exec
	 * is processed, is the container's. */
	if (ev->kind == EVENT_KIND_SYSCALL && sc && !exec && !e->cg &&
	    !e->dead && ev->success == 1 && pt_is(sc, root_setup))
		(void)pt_read_cgroup(pt, e->pid, e, true);
	if (!exec)
		pt_note_exe(pt, e, ev);
	if (ev->has_caps && !exec) { /* capset */
		e->has_caps = true;
		e->cap_inh = ev->cap_inh;
		e->cap_prm = ev->cap_prm;
		e->cap_eff = ev->cap_eff;
	}
	pt_event_argv(pt, e, ev);
	if (ev->kind == EVENT_KIND_SYSCALL && sc && pt_is(sc, exits))
		pt_mark_dead(pt, e, now);
	else
		pt_touch(pt, e);

	if (!e->cg)
		ev->container = NULL;
	else if (exec)
		ev->container = container_cache_get_exec(pt->cc, e->cg,
							 ev->time_ns);
	else
		ev->container = container_cache_get(pt->cc, e->cg);
	ev->vpid = e->vpid;
	ev->sid = e->sid;
	pathres_enrich(pt->pr, ev);
	fdtable_enrich(pt->ft, ev);
}

/* --- queries ------------------------------------------------------------ */

static void pt_view(struct proctable *pt, struct pt_entry *e,
		    struct proc_view *ret)
{
	/* Capability sets after an exec that brought no BPRM_FCAPS record
	 * are read when first asked for, while the process lives. */
	if (!e->has_caps && !e->caps_tried && !e->dead && !pt->offline) {
		struct pt_entry st;

		memset(&st, 0, sizeof(st));
		pt_read_status(pt, e->pid, &st);
		e->has_caps = st.has_caps;
		e->cap_inh = st.cap_inh;
		e->cap_prm = st.cap_prm;
		e->cap_eff = st.cap_eff;
		if (!e->vpgid)
			e->vpgid = st.vpgid;
	}
	e->caps_tried = true;
	ret->start_ns = e->start_ns;
	ret->pgid = e->pgid;
	ret->vpgid = e->vpgid ? e->vpgid : (e->cg ? 0 : e->pgid);
	ret->has_caps = e->has_caps;
	ret->cap_inh = e->cap_inh;
	ret->cap_prm = e->cap_prm;
	ret->cap_eff = e->cap_eff;
	ret->pid = e->pid;
	ret->ppid = e->ppid;
	ret->vpid = e->vpid;
	ret->sid = e->sid;
	ret->uid = e->uid;
	ret->start_time = e->start_time;
	ret->comm = e->comm;
	ret->exe = e->exe;
	ret->argv0 = e->argv0;
	ret->args = e->args;
	ret->cmdline = e->cmdline;
	ret->cwd = e->cwd;
	ret->container = e->cg ? container_cache_get(pt->cc, e->cg) : NULL;
}

int proctable_get(struct proctable *pt, pid_t pid, struct proc_view *ret)
{
	struct pt_entry *e;
	bool fresh;

	if (!pt || pid <= 0)
		return -ENOENT;
	e = pt_find(pt, pid, 0, NULL, &fresh);
	if (!e)
		return -ENOENT;
	pt_touch(pt, e);
	pt_view(pt, e, ret);
	return 0;
}

int proctable_ancestor(struct proctable *pt, pid_t pid, unsigned int n,
		       struct proc_view *ret)
{
	struct pt_entry *e;
	bool fresh;
	unsigned int i;

	if (!pt || pid <= 0)
		return -ENOENT;
	e = pt_find(pt, pid, 0, NULL, &fresh);
	for (i = 0; e && i < n; i++) {
		/* pid 1 and kernel threads' parent 0 end the chain. */
		if (e->pid <= 1 || e->ppid <= 0 || e->ppid == e->pid)
			return -ENOENT;
		pt_touch(pt, e);
		e = pt_find(pt, e->ppid, 0, NULL, &fresh);
	}
	if (!e)
		return -ENOENT;
	pt_touch(pt, e);
	pt_view(pt, e, ret);
	return 0;
}

int proctable_seed(struct proctable *pt)
{
	struct dirent *de;
	DIR *d;
	int count = 0;

	if (!pt)
		return -EINVAL;
	if (pt->offline)
		return 0;
	d = opendir(pt->proc_root);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		uint64_t v;
		bool fresh;

		if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
		    parse_u64(de->d_name, 10, &v) < 0 || v > INT32_MAX)
			continue;
		if (pt_find(pt, (pid_t)v, 0, NULL, &fresh))
			count++;
	}
	(void)closedir(d);
	return count;
}

void proctable_get_stats(const struct proctable *pt,
			 struct proctable_stats *ret)
{
	if (!pt)
		return;
	*ret = pt->stats;
	ret->entries = pt->n;
}

int proctable_hint_cgroup(struct proctable *pt, pid_t pid, const char *cgroup)
{
	struct cgroup_match m;
	struct pt_entry *e;
	bool fresh;

	if (!pt || pid <= 0 || !cgroup ||
	    cgroup_parse(cgroup, strlen(cgroup), &m) != 1)
		return -EINVAL;
	e = pt_find(pt, pid, 0, NULL, &fresh);
	if (!e) {
		/* gone already: an entry of its own, the hint its cgroup */
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		e->pid = pid;
		e->dead = true;
		e->dead_at_ms = pt_now_ms(pt);
		e->gone_checked_ms = e->dead_at_ms;
		pt_insert(pt, e);
	}
	if (e->cg)
		return 0;
	e->cg = malloc(sizeof(*e->cg));
	if (!e->cg)
		return -ENOMEM;
	*e->cg = m;
	return 0;
}
