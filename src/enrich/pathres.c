/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Symlink resolution of PATH items for fd.name (see pathres.h). The hot
 * case is a cache hit (one hash of the name); a miss costs one readlinkat
 * per component and one fstatat. Names and link targets are untrusted:
 * every walk is bounded (HARRIER_PATHRES_MAX_LINKS links, PATH_MAX bytes).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/limits.h"
#include "enrich/pathres.h"

struct pr_cache_ent {
	uint64_t hash, inode;
	char *name;
	char *resolved; /* NULL: the name is the object */
};

struct pr_link {
	char *path, *target; /* both absolute */
	struct pr_link *hnext;
	TAILQ_ENTRY(pr_link) fifo;
};
TAILQ_HEAD(pr_link_list, pr_link);

#define PR_LINK_BUCKETS 1024

struct pathres {
	char *proc_root;
	bool offline;
	struct pr_cache_ent cache[HARRIER_PATHRES_CACHE_MAX];
	struct pr_link *buckets[PR_LINK_BUCKETS];
	struct pr_link_list links;
	size_t nlinks;
	struct pathres_stats stats;
	/* The event's paths, copied so that .resolved can be set. */
	struct event_path paths[HARRIER_MAX_PATHS];
	char resolved[HARRIER_MAX_PATHS][PATH_MAX];
};

static uint64_t pr_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct pathres *pathres_new(const char *proc_root, bool offline)
{
	struct pathres *pr = calloc(1, sizeof(*pr));

	if (!pr)
		return NULL;
	pr->proc_root = strdup(proc_root ? proc_root : "/proc");
	if (!pr->proc_root) {
		free(pr);
		return NULL;
	}
	pr->offline = offline;
	TAILQ_INIT(&pr->links);
	return pr;
}

static void pr_link_free(struct pr_link *l)
{
	free(l->path);
	free(l->target);
	free(l);
}

void pathres_free(struct pathres *pr)
{
	struct pr_link *l;
	size_t i;

	if (!pr)
		return;
	while ((l = TAILQ_FIRST(&pr->links))) {
		TAILQ_REMOVE(&pr->links, l, fifo);
		pr_link_free(l);
	}
	for (i = 0; i < HARRIER_PATHRES_CACHE_MAX; i++) {
		free(pr->cache[i].name);
		free(pr->cache[i].resolved);
	}
	free(pr->proc_root);
	free(pr);
}

void pathres_get_stats(const struct pathres *pr, struct pathres_stats *ret)
{
	*ret = pr->stats;
	ret->links_known = pr->nlinks;
}

/* ---- links the log created ---- */

static struct pr_link **pr_link_slot(struct pathres *pr, const char *path)
{
	struct pr_link **pp = &pr->buckets[pr_hash(path) % PR_LINK_BUCKETS];

	while (*pp && strcmp((*pp)->path, path) != 0)
		pp = &(*pp)->hnext;
	return pp;
}

static void pr_link_forget(struct pathres *pr, const char *path)
{
	struct pr_link **pp = pr_link_slot(pr, path), *l = *pp;

	if (!l)
		return;
	*pp = l->hnext;
	TAILQ_REMOVE(&pr->links, l, fifo);
	pr->nlinks--;
	pr_link_free(l);
}

static void pr_link_learn(struct pathres *pr, const char *path,
			  const char *target)
{
	struct pr_link *l;
	struct pr_link **pp;

	pr_link_forget(pr, path);
	while (pr->nlinks >= HARRIER_PATHRES_LINKS_MAX) {
		l = TAILQ_FIRST(&pr->links);
		pr_link_forget(pr, l->path);
		pr->stats.links_evicted++;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return;
	l->path = strdup(path);
	l->target = strdup(target);
	if (!l->path || !l->target) {
		pr_link_free(l);
		return;
	}
	pp = pr_link_slot(pr, path);
	*pp = l;
	TAILQ_INSERT_TAIL(&pr->links, l, fifo);
	pr->nlinks++;
}

static bool pr_is_lnk(const struct event_path *p)
{
	return p->has_mode && S_ISLNK(p->mode);
}

static bool pr_nametype(const struct event_path *p, const char *nt)
{
	return p->nametype && strcmp(p->nametype, nt) == 0;
}

/* symlink(target, linkpath): the CREATE item is the link (mode lnk), the
 * target is an item of its own as passed (no inode). unlink/rename: the
 * DELETE item, and a CREATE item that replaced a link. */
static void pr_learn(struct pathres *pr, const struct event *ev)
{
	const struct event_path *link = NULL, *target = NULL;
	const char *sc = ev->syscall_name;
	char abs[PATH_MAX];
	size_t i;

	if (ev->kind != EVENT_KIND_SYSCALL || !sc || ev->success != 1)
		return;
	if (strcmp(sc, "symlink") == 0 || strcmp(sc, "symlinkat") == 0) {
		for (i = 0; i < ev->npaths; i++) {
			const struct event_path *p = &ev->paths[i];

			if (pr_nametype(p, "CREATE") && p->name)
				link = p;
			else if (!p->has_inode && !pr_nametype(p, "PARENT") &&
				 p->raw_name)
				target = p;
		}
		if (!link || !target || link->name[0] != '/')
			return;
		if (target->raw_name[0] == '/') {
			pr_link_learn(pr, link->name, target->raw_name);
			return;
		}
		/* relative to the link's directory */
		{
			const char *slash = strrchr(link->name, '/');
			int n = snprintf(abs, sizeof(abs), "%.*s/%s",
					 (int)(slash - link->name), link->name,
					 target->raw_name);

			if (n > 0 && (size_t)n < sizeof(abs))
				pr_link_learn(pr, link->name, abs);
		}
		return;
	}
	if (!pr->nlinks)
		return;
	for (i = 0; i < ev->npaths; i++) {
		const struct event_path *p = &ev->paths[i];

		if (p->name &&
		    (pr_nametype(p, "DELETE") || pr_nametype(p, "CREATE")))
			pr_link_forget(pr, p->name);
	}
}

/* ---- the walk ---- */

/* The target of path if it is a symlink: its length (> 0), 0 when it is
 * not a link, -ENOENT when it does not exist. rootfd < 0: only the links
 * the log created. *used_log is set when the answer came from them. */
static ssize_t pr_readlink(struct pathres *pr, int rootfd, const char *path,
			   char *buf, size_t len, bool *used_log)
{
	struct pr_link *l;
	ssize_t n;

	if (rootfd >= 0) {
		n = readlinkat(rootfd, path[1] ? path + 1 : ".", buf, len - 1);
		if (n >= 0 && (size_t)n < len - 1) {
			buf[n] = '\0';
			return n;
		}
		if (n >= 0)
			return -ENAMETOOLONG;
		if (errno == EINVAL)
			return 0;
		if (errno != ENOENT && errno != ENOTDIR)
			return -errno;
	}
	l = pr->nlinks ? *pr_link_slot(pr, path) : NULL;
	if (!l)
		return rootfd >= 0 ? -ENOENT : 0;
	n = (ssize_t)strlen(l->target);
	if ((size_t)n >= len)
		return -ENAMETOOLONG;
	memcpy(buf, l->target, (size_t)n + 1);
	*used_log = true;
	return n;
}

/* Resolve the absolute name component by component into out (absolute,
 * no symlink left; the last component followed only if follow_last).
 * Returns 0, -ELOOP, -ENAMETOOLONG, -ENOENT or another -errno. */
static int pr_walk(struct pathres *pr, int rootfd, const char *name,
		   bool follow_last, char *out, bool *used_log)
{
	char rest[2 * PATH_MAX], target[PATH_MAX], tmp[2 * PATH_MAX];
	size_t olen = 0, rl;
	unsigned int links = 0;
	const char *p;

	rl = strlen(name);
	if (rl >= sizeof(rest))
		return -ENAMETOOLONG;
	memcpy(rest, name, rl + 1);
	out[0] = '\0';
	p = rest;
	for (;;) {
		const char *c, *next;
		size_t cl;
		ssize_t n;
		bool last;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		c = p;
		for (next = p; *next && *next != '/'; next++)
			;
		cl = (size_t)(next - c);
		p = next;
		while (*p == '/')
			p++;
		last = !*p;
		if (cl == 1 && c[0] == '.')
			continue;
		if (cl == 2 && c[0] == '.' && c[1] == '.') {
			while (olen > 0 && out[olen - 1] != '/')
				olen--;
			if (olen > 0)
				olen--;
			out[olen] = '\0';
			continue;
		}
		if (olen + 1 + cl >= PATH_MAX)
			return -ENAMETOOLONG;
		out[olen++] = '/';
		memcpy(out + olen, c, cl);
		olen += cl;
		out[olen] = '\0';
		if (last && !follow_last)
			break;
		n = pr_readlink(pr, rootfd, out, target, sizeof(target),
				used_log);
		if (n < 0)
			return (int)n;
		if (n == 0)
			continue;
		if (++links > HARRIER_PATHRES_MAX_LINKS)
			return -ELOOP;
		/* the link's target, then what was left after it */
		if (snprintf(tmp, sizeof(tmp), "%s/%s", target, p) >=
		    (int)sizeof(tmp))
			return -ENAMETOOLONG;
		memcpy(rest, tmp, strlen(tmp) + 1);
		p = rest;
		if (target[0] == '/') {
			olen = 0;
		} else {
			while (olen > 0 && out[olen - 1] != '/')
				olen--;
			if (olen > 0)
				olen--;
		}
		out[olen] = '\0';
	}
	if (olen == 0) {
		out[0] = '/';
		out[1] = '\0';
	}
	return 0;
}

/* /proc/PID/root of the process or its parent, else "/" for a host
 * process; -1 when none is usable. */
static int pr_open_root(struct pathres *pr, const struct event *ev)
{
	pid_t pids[2] = { ev->pid, ev->ppid };
	char path[PATH_MAX];
	size_t i;
	int fd;

	for (i = 0; i < 2; i++) {
		if (pids[i] <= 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%d/root", pr->proc_root,
			     (int)pids[i]) >= (int)sizeof(path))
			continue;
		fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	if (ev->container)
		return -1;
	return open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static bool pr_verify(int rootfd, const char *path, bool follow,
		      const struct event_path *p)
{
	struct stat st;

	if (rootfd < 0 || !p->has_inode)
		return false;
	if (fstatat(rootfd, path[1] ? path + 1 : ".", &st,
		    follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	return (uint64_t)st.st_ino == p->inode;
}

static struct pr_cache_ent *pr_cache_slot(struct pathres *pr, uint64_t h)
{
	return &pr->cache[h % HARRIER_PATHRES_CACHE_MAX];
}

static void pr_cache_put(struct pathres *pr, uint64_t h, const char *name,
			 uint64_t inode, const char *resolved)
{
	struct pr_cache_ent *c = pr_cache_slot(pr, h);
	char *n = strdup(name), *r = resolved ? strdup(resolved) : NULL;

	if (!n || (resolved && !r)) {
		free(n);
		free(r);
		return;
	}
	free(c->name);
	free(c->resolved);
	c->hash = h;
	c->inode = inode;
	c->name = n;
	c->resolved = r;
}

/* Resolve item i into pr->resolved[i]; rootfd is opened on first need. */
static void pr_resolve(struct pathres *pr, const struct event *ev, size_t i,
		       int *rootfd)
{
	struct event_path *p = &pr->paths[i];
	bool follow = !pr_is_lnk(p), used_log = false;
	char *out = pr->resolved[i];
	struct pr_cache_ent *c;
	uint64_t h = 0;
	int r;

	if (!p->name || p->name[0] != '/' || pr_nametype(p, "PARENT"))
		return;
	if (!pr->offline && p->has_inode) {
		h = pr_hash(p->name) ^ (follow ? 0 : 1);
		c = pr_cache_slot(pr, h);
		if (c->name && c->hash == h && c->inode == p->inode &&
		    strcmp(c->name, p->name) == 0) {
			pr->stats.cache_hits++;
			if (c->resolved) {
				memcpy(out, c->resolved,
				       strlen(c->resolved) + 1);
				p->resolved = out;
			}
			return;
		}
		if (*rootfd == -2)
			*rootfd = pr_open_root(pr, ev);
	}
	if (pr->offline && !pr->nlinks)
		return;
	pr->stats.walks++;
	r = pr_walk(pr, pr->offline ? -1 : *rootfd, p->name, follow, out,
		    &used_log);
	if (r < 0)
		return;
	if (!pr->offline && !pr_verify(*rootfd, out, follow, p)) {
		/* Not the object the kernel reached (changed since, or
		 * not in this root): believe only the log's own links. */
		if (!used_log)
			return;
		pr->stats.unverified++;
	} else if (!pr->offline && h) {
		pr_cache_put(pr, h, p->name, p->inode,
			     strcmp(out, p->name) ? out : NULL);
	}
	if (strcmp(out, p->name) == 0)
		return;
	p->resolved = out;
	pr->stats.resolved++;
}

void pathres_enrich(struct pathres *pr, struct event *ev)
{
	int rootfd = -2;
	size_t i, n;

	if (!pr || !ev || !ev->npaths)
		return;
	pr_learn(pr, ev);
	if (pr->offline && !pr->nlinks)
		return;
	n = ev->npaths < HARRIER_MAX_PATHS ? ev->npaths : HARRIER_MAX_PATHS;
	if (ev->paths != pr->paths)
		memcpy(pr->paths, ev->paths, n * sizeof(pr->paths[0]));
	for (i = 0; i < n; i++) {
		pr->paths[i].resolved = NULL;
		pr_resolve(pr, ev, i, &rootfd);
	}
	if (rootfd >= 0)
		(void)close(rootfd);
	ev->paths = pr->paths;
	ev->npaths = n;
}
