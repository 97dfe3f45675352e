/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel rule plan: merges what kfilter derived per rule and syscall into
 * auditctl text. Merging only ever widens: a set implied by another goes,
 * sets that differ only in their syscalls share a rule, and a syscall any
 * rule needs unfiltered gets the plain rule. Paths are resolved once, on
 * this host, when the plan is built.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libaudit.h>

#include "common/strbuf.h"
#include "engine/kfilter.h"
#include "kaudit/kplan.h"

/* Rules that give a reason for one syscall's plain rule, in the notes. */
#define KP_MAX_FORCED 4

/* One conjunction, owned (paths strdup'd). intended: what the rule's
 * path atom meant before it was resolved on this host (for containers). */
struct kp_set {
	struct kfilter_atom *atoms;
	size_t n;
	char *intended;
	/* the host's widened filter for a path missing here (its containers
	 * have their own): resolved already, never extended to roots */
	bool host_only;
};

struct kp_sys {
	char *name;
	struct kp_set *sets;
	size_t nsets;
	bool plain;
	char *forced[KP_MAX_FORCED];
	size_t nforced, nforced_total;
};

/* One kernel rule: a set and the syscalls that share it. */
struct kp_line {
	struct kp_set *set; /* borrowed from a kp_sys */
	char *syscalls; /* "open,openat" */
	/* Directories joined to the line's dir= tree (auditctl -M): lines
	 * that differed only in their directory, one kernel rule for all.
	 * also_want: what each meant for containers (NULL: host only). */
	char **also, **also_want;
	size_t nalso;
	/* A path= line whose containers are covered by a tree (ct_line)
	 * instead of a watch per root. */
	bool by_tree;
	/* Its own syscalls while it carries a group's (widen_change_lines),
	 * and how many directories it had then. */
	char *narrow;
	size_t nalso_widened;
	/* A tree on an anchor of ours for the path= lines of the same
	 * shape: each container root joins the directories of their files
	 * (ct_want) to it. Its set is its own. */
	struct kp_set *owned;
	char **ct_want;
	size_t nct;
};

struct kplan {
	bool pushdown;
	struct kp_sys *sys;
	size_t nsys;
	struct kp_line *lines;
	size_t nlines;
	struct kp_set empty; /* the plain rule's (no atoms) */
	struct strbuf text, notes, install;
	bool b32; /* a 32-bit ABI beside the 64-bit one (x86_64, arm64) */
	struct kplan_stats stats;
	kplan_stat_fn stat_path;
	void *stat_ud;
	enum kplan_paths paths;
	/* paths missing here: their anchors and what to watch for */
	const char *anchors;
	char **anchored;
	size_t nanchors;
	/* what resolution saw, for kplan_changed */
	struct kp_obs {
		char *path;
		enum kplan_ftype t;
	} * obs;
	size_t nobs;
	bool oom;
};

static enum kplan_ftype stat_default(const char *path, void *ud)
{
	struct stat st;

	(void)ud;
	if (stat(path, &st) < 0)
		return KPLAN_MISSING;
	return S_ISDIR(st.st_mode) ? KPLAN_DIR : KPLAN_OTHER;
}

static void set_clear(struct kp_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free((char *)s->atoms[i].path);
	free(s->atoms);
	free(s->intended);
	s->atoms = NULL;
	s->n = 0;
	s->intended = NULL;
}

void kplan_free(struct kplan *p)
{
	size_t i, j;

	if (!p)
		return;
	for (i = 0; i < p->nsys; i++) {
		for (j = 0; j < p->sys[i].nsets; j++)
			set_clear(&p->sys[i].sets[j]);
		free(p->sys[i].sets);
		for (j = 0; j < p->sys[i].nforced; j++)
			free(p->sys[i].forced[j]);
		free(p->sys[i].name);
	}
	free(p->sys);
	for (i = 0; i < p->nlines; i++) {
		free(p->lines[i].syscalls);
		for (j = 0; j < p->lines[i].nalso; j++) {
			free(p->lines[i].also[j]);
			free(p->lines[i].also_want[j]);
		}
		free(p->lines[i].also);
		free(p->lines[i].also_want);
		for (j = 0; j < p->lines[i].nct; j++)
			free(p->lines[i].ct_want[j]);
		free(p->lines[i].ct_want);
		if (p->lines[i].owned) {
			set_clear(p->lines[i].owned);
			free(p->lines[i].owned);
		}
	}
	free(p->lines);
	strbuf_free(&p->text);
	strbuf_free(&p->notes);
	strbuf_free(&p->install);
	for (i = 0; i < p->nobs; i++)
		free(p->obs[i].path);
	free(p->obs);
	strv_free(p->anchored, p->nanchors);
	free(p);
}

static bool set_copy(struct kp_set *dst, const struct kfilter_atom *atoms,
		     size_t n)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->atoms = calloc(n ? n : 1, sizeof(*dst->atoms));
	if (!dst->atoms)
		return false;
	for (i = 0; i < n; i++) {
		dst->atoms[i] = atoms[i];
		if (atoms[i].path) {
			dst->atoms[i].path = strdup(atoms[i].path);
			if (!dst->atoms[i].path) {
				dst->n = i;
				set_clear(dst);
				return false;
			}
		}
		dst->n = i + 1;
	}
	return true;
}

static bool sys_add_set(struct kp_sys *s, const struct kfilter_atom *atoms,
			size_t n)
{
	struct kp_set *ns = realloc(s->sets, (s->nsets + 1) * sizeof(*ns));

	if (!ns)
		return false;
	s->sets = ns;
	if (!set_copy(&s->sets[s->nsets], atoms, n))
		return false;
	s->nsets++;
	return true;
}

struct collect {
	struct kplan *p;
	struct kp_sys *s;
};

static void collect_cb(const struct kfilter *f, void *ud)
{
	struct collect *c = ud;
	struct kp_sys *s = c->s;
	size_t i;

	if (f->why) {
		s->plain = true;
		s->nforced_total++;
		if (s->nforced < KP_MAX_FORCED) {
			s->forced[s->nforced] =
				str_printf("rule \"%s\": %s", f->rule, f->why);
			if (!s->forced[s->nforced])
				c->p->oom = true;
			else
				s->nforced++;
		}
		return;
	}
	for (i = 0; i < f->nsets; i++)
		if (!sys_add_set(s, f->sets[i].atoms, f->sets[i].natoms))
			c->p->oom = true;
}

static struct kfilter_set view(const struct kp_set *s)
{
	struct kfilter_set v = { s->atoms, s->n };

	return v;
}

/* Drop the sets another (weaker) set implies; keep the first of equals. */
static void sys_simplify(struct kp_sys *s)
{
	size_t i, j, n = 0;

	if (s->plain) {
		for (i = 0; i < s->nsets; i++)
			set_clear(&s->sets[i]);
		s->nsets = 0;
		return;
	}
	for (i = 0; i < s->nsets; i++) {
		struct kfilter_set a = view(&s->sets[i]);
		bool drop = false;

		for (j = 0; j < s->nsets && !drop; j++) {
			struct kfilter_set b;

			if (i == j || !s->sets[j].atoms)
				continue;
			/* the host's widened filter for a missing path does
			 * not reach containers: it stands for nothing there */
			if (s->sets[j].host_only && !s->sets[i].host_only)
				continue;
			b = view(&s->sets[j]);
			if (kfilter_set_implies(&a, &b) &&
			    !(kfilter_set_implies(&b, &a) && i < j))
				drop = true;
		}
		if (drop) {
			set_clear(&s->sets[i]);
			continue;
		}
		s->sets[n++] = s->sets[i];
	}
	s->nsets = n;
}

static bool path_atom(const struct kfilter_atom *a)
{
	return a->field == KFILTER_PATH || a->field == KFILTER_DIR;
}

/* Auditctl text cannot hold blanks in a value. */
static bool path_writable(const char *p)
{
	return p[strcspn(p, " \t\r\n\v\f")] == '\0';
}

/* stat_path, remembered: the plan is only as good as what it saw. */
static enum kplan_ftype look(struct kplan *p, const char *path)
{
	enum kplan_ftype t = p->stat_path(path, p->stat_ud);
	struct kp_obs *no;
	size_t i;

	for (i = 0; i < p->nobs; i++)
		if (strcmp(p->obs[i].path, path) == 0)
			return t;
	no = realloc(p->obs, (p->nobs + 1) * sizeof(*no));
	if (!no || !(no[p->nobs].path = strdup(path))) {
		if (no)
			p->obs = no;
		p->oom = true;
		return t;
	}
	p->obs = no;
	p->obs[p->nobs++].t = t;
	return t;
}

static const struct kfilter_atom *set_dir(const struct kp_set *s);

size_t kplan_anchor_count(const struct kplan *p)
{
	return p->nanchors;
}

char *kplan_anchor(const struct kplan *p, size_t i)
{
	char *a = i < p->nanchors ? str_printf("%s/%zu", p->anchors, i) : NULL;
	size_t j;

	for (j = 0; a && j < p->nlines; j++) {
		const struct kfilter_atom *d = set_dir(p->lines[j].set);

		if (d && strcmp(d->path, a) == 0)
			return a;
	}
	free(a);
	return NULL;
}

bool kplan_changed(const struct kplan *p)
{
	size_t i;

	for (i = 0; i < p->nobs; i++)
		if (p->stat_path(p->obs[i].path, p->stat_ud) != p->obs[i].t)
			return true;
	return false;
}

/* The nearest existing directory at or above path (a copy), NULL for
 * none below stop (a prefix of path, or "/"). */
static char *nearest_dir(const struct kplan *p, const char *path, size_t stop,
			 bool record)
{
	char *c = strdup(path);
	char *slash;

	if (!c)
		return NULL;
	for (;;) {
		if ((record ? look((struct kplan *)p, c)
			    : p->stat_path(c, p->stat_ud)) == KPLAN_DIR)
			return c;
		slash = strrchr(c, '/');
		if (!slash || (size_t)(slash - c) < stop || slash == c) {
			free(c);
			return NULL;
		}
		*slash = '\0';
	}
}

static char *parent_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return NULL;
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* The anchor directory for a path missing here (one per path). */
static char *anchor_for(struct kplan *p, const char *intended)
{
	char **na;
	size_t i;

	for (i = 0; i < p->nanchors; i++)
		if (strcmp(p->anchored[i], intended) == 0)
			return str_printf("%s/%zu", p->anchors, i);
	na = realloc(p->anchored, (p->nanchors + 1) * sizeof(*na));
	if (!na)
		return NULL;
	p->anchored = na;
	p->anchored[p->nanchors] = strdup(intended);
	if (!p->anchored[p->nanchors])
		return NULL;
	return str_printf("%s/%zu", p->anchors, p->nanchors++);
}

/* The first component of path below its existing ancestor anc. */
static char *first_missing(const char *anc, const char *path)
{
	size_t al = strcmp(anc, "/") == 0 ? 0 : strlen(anc);
	const char *rest = path + al + 1;
	size_t cl = strcspn(rest, "/");

	return strndup(path, (size_t)(rest - path) + cl);
}

/* Resolve a set's path atom on this host. PATH x: a watch works while
 * x's directory exists. DIR d: a tree needs d. Otherwise the nearest
 * existing directory above, as a tree (or no path at all when that is
 * "/"), noted. */
/* A note once, however many syscalls share the path. */
static void note(struct kplan *p, const char *line)
{
	if (!line) {
		p->oom = true;
		return;
	}
	if (!strstr(strbuf_str(&p->notes), line))
		strbuf_appends(&p->notes, line);
	free((char *)line);
}

/* For a path missing here whose set goes to an anchor: the host's own
 * filter until the path exists, a copy of the set on anc (the nearest
 * existing directory above it), or on no path when that is "/". Without
 * it, what is done in the moments between the path's creation and the
 * plan built again (mkdir -p /root/.ssh && echo KEY >>
 * /root/.ssh/authorized_keys) would be missed. */
static void add_host_set(struct kplan *p, struct kp_sys *sys, size_t j,
			 size_t atom, const char *anc)
{
	struct kp_set *h;

	if (!sys_add_set(sys, sys->sets[j].atoms, sys->sets[j].n)) {
		p->oom = true;
		return;
	}
	h = &sys->sets[sys->nsets - 1];
	h->host_only = true;
	free((char *)h->atoms[atom].path);
	if (strcmp(anc, "/") == 0) {
		h->atoms[atom] = h->atoms[--h->n];
		return;
	}
	h->atoms[atom].path = strdup(anc);
	h->atoms[atom].field = KFILTER_DIR;
	if (!h->atoms[atom].path)
		p->oom = true;
}

/* Below the pseudo file systems every container runtime mounts afresh
 * in the container (/proc, /sys with its cgroup hierarchies, /dev): a
 * tree or watch on the root's directory (the host-visible bundle path)
 * never sees the container's files there. */
static bool in_own_mount(const char *path)
{
	static const char *const own[] = { "/proc", "/sys", "/dev" };
	size_t i, n;

	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		n = strlen(own[i]);
		if (strncmp(path, own[i], n) == 0 &&
		    (path[n] == '/' || path[n] == '\0'))
			return true;
	}
	return false;
}

static void resolve_set(struct kplan *p, struct kp_sys *sys, size_t j)
{
	struct kp_set *s = &sys->sets[j];
	struct kfilter_atom *a = NULL;
	enum kplan_ftype t;
	char *parent, *anc = NULL;
	size_t i;

	if (s->host_only)
		return;
	for (i = 0; i < s->n && !a; i++)
		if (path_atom(&s->atoms[i]))
			a = &s->atoms[i];
	if (!a)
		return;
	s->intended = strdup(a->path);
	if (!s->intended) {
		p->oom = true;
		return;
	}
	if (!path_writable(a->path)) {
		note(p, str_printf("# path %s has blanks: not filtered by it\n",
				   a->path));
		goto drop;
	}
	if (p->paths == KPLAN_PATHS_NONE ||
	    (p->paths == KPLAN_PATHS_DIRS && a->field == KFILTER_PATH))
		goto drop;
	if (in_own_mount(a->path)) {
		note(p, str_printf("# %s: a container mounts its own %.*s, which "
				   "no filter on its root reaches: not "
				   "filtered by it\n",
				   a->path, (int)strcspn(a->path + 1, "/") + 1,
				   a->path));
		goto drop;
	}
	t = look(p, a->path);
	if (a->field == KFILTER_PATH) {
		if (t != KPLAN_MISSING)
			return;
		parent = parent_of(a->path);
		if (parent && look(p, parent) == KPLAN_DIR) {
			free(parent);
			return; /* the kernel watches the directory */
		}
		if (parent)
			anc = nearest_dir(p, parent, 0, true);
		free(parent);
	} else {
		if (t == KPLAN_DIR)
			return;
		if (t == KPLAN_OTHER) {
			/* a file: its name is all there is below it */
			if (p->paths == KPLAN_PATHS_DIRS)
				goto drop;
			a->field = KFILTER_PATH;
			return;
		}
		anc = nearest_dir(p, a->path, 0, true);
	}
	if (p->anchors && anc) {
		/* A tree on an empty directory of ours: nothing on the host
		 * reaches it, containers that have the path join it; the
		 * host's own path is looked for (kplan_changed, every second
		 * in harrierd) and the plan built again once it is there. */
		char *anchor = anchor_for(p, s->intended);
		char *m = first_missing(anc, s->intended);

		if (!anchor || !m) {
			free(anchor);
			free(m);
			free(anc);
			p->oom = true;
			return;
		}
		note(p,
		     str_printf("# %s does not exist here: looked for (%s), "
				"filtered by it once it is there, until then by "
				"%s%s; containers that have it are filtered "
				"now\n",
				s->intended, m,
				strcmp(anc, "/") == 0 ? "nothing but the "
							"rest"
						      : "dir=",
				strcmp(anc, "/") == 0 ? "" : anc));
		free(m);
		free((char *)a->path);
		a->path = anchor;
		a->field = KFILTER_DIR;
		add_host_set(p, sys, j, i - 1, anc);
		free(anc);
		return;
	}
	if (!anc || strcmp(anc, "/") == 0) {
		note(p, str_printf("# %s does not exist here, nor any "
				   "directory above it but /: not filtered by "
				   "it\n",
				   a->path));
		free(anc);
		goto drop;
	}
	note(p, str_printf("# %s does not exist here: dir=%s until it does\n",
			   a->path, anc));
	free((char *)a->path);
	a->path = anc;
	a->field = KFILTER_DIR;
	return;
drop:
	free((char *)a->path);
	*a = s->atoms[--s->n];
}

/* ---- fewer kernel rules ---- */

/* The kernel tests every exit rule on every audited syscall of the node,
 * and each path= rule is repeated for every container root: a syscall
 * with more path= filters than this is filtered without the path. */
#define KP_MAX_WATCHES 2

static bool atom_equal(const struct kfilter_atom *a,
		       const struct kfilter_atom *b)
{
	if (a->field != b->field || a->op != b->op || a->arg != b->arg)
		return false;
	if (path_atom(a))
		return strcmp(a->path, b->path) == 0;
	return a->value == b->value;
}

/* The one "= value" atom on a field that takes ranges (exit, a0..a3,
 * saddr_fam); -1 when there is none or more than one. */
static ssize_t value_atom(const struct kp_set *s)
{
	ssize_t k = -1;
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct kfilter_atom *a = &s->atoms[i];

		if (a->op != KFILTER_EQ ||
		    (a->field != KFILTER_ARG && a->field != KFILTER_EXIT &&
		     a->field != KFILTER_SADDR_FAM))
			continue;
		if (k >= 0)
			return -1;
		k = (ssize_t)i;
	}
	return k;
}

/* Are a and b the same but for their value atoms ka, kb (same field)? */
static bool same_but(const struct kp_set *a, ssize_t ka, const struct kp_set *b,
		     ssize_t kb)
{
	size_t i, j;

	if (a->n != b->n || a->atoms[ka].field != b->atoms[kb].field ||
	    a->atoms[ka].arg != b->atoms[kb].arg)
		return false;
	for (i = 0; i < a->n; i++) {
		bool found = false;

		if ((ssize_t)i == ka)
			continue;
		for (j = 0; j < b->n && !found; j++)
			found = (ssize_t)j != kb &&
				atom_equal(&a->atoms[i], &b->atoms[j]);
		if (!found)
			return false;
	}
	return true;
}

/* Sets that differ only in "exit = v" or "a0 = v" become one with
 * "min <= x <= max": a superset (the values between come too), one
 * kernel rule instead of one per value (ptrace requests, dup's target
 * fds). */
static void sys_merge_values(struct kplan *p, struct kp_sys *s)
{
	size_t i, j, merged = 0;

	for (i = 0; i < s->nsets; i++) {
		struct kp_set *a = &s->sets[i];
		ssize_t ka = a->atoms ? value_atom(a) : -1;
		int64_t lo, hi;
		struct kfilter_atom *na;
		size_t n = 0;

		if (ka < 0)
			continue;
		lo = hi = a->atoms[ka].value;
		for (j = i + 1; j < s->nsets; j++) {
			struct kp_set *b = &s->sets[j];
			ssize_t kb = b->atoms ? value_atom(b) : -1;

			if (kb < 0 || !same_but(a, ka, b, kb))
				continue;
			if (b->atoms[kb].value < lo)
				lo = b->atoms[kb].value;
			if (b->atoms[kb].value > hi)
				hi = b->atoms[kb].value;
			set_clear(b);
			n++;
		}
		if (n == 0)
			continue;
		na = realloc(a->atoms, (a->n + 1) * sizeof(*na));
		if (!na) {
			p->oom = true;
			return;
		}
		a->atoms = na;
		a->atoms[a->n] = a->atoms[ka];
		a->atoms[ka].op = KFILTER_GE;
		a->atoms[ka].value = lo;
		a->atoms[a->n].op = KFILTER_LE;
		a->atoms[a->n].value = hi;
		a->n++;
		merged += n + 1;
	}
	if (merged)
		note(p, str_printf("# %s: %zu rules on single values merged "
				   "into ranges\n",
				   s->name, merged));
	for (i = 0, j = 0; i < s->nsets; i++)
		if (s->sets[i].atoms)
			s->sets[j++] = s->sets[i];
	s->nsets = j;
}

/* Syscalls rare enough that sending every successful call costs less
 * than a path= rule per file and per container root. */
static bool rare_syscall(const char *name)
{
	static const char *const rare[] = {
		"link",	  "linkat", "symlink", "symlinkat", "chmod",
		"fchmod", "fchmodat", "chown", "fchown", "fchownat",
		"lchown", "mknod",  "mknodat", "truncate",
	};
	size_t i;

	for (i = 0; i < sizeof(rare) / sizeof(rare[0]); i++)
		if (strcmp(name, rare[i]) == 0)
			return true;
	return false;
}

/* A rare syscall with more than KP_MAX_WATCHES path= sets: each loses
 * its path. */
static void sys_widen_watches(struct kplan *p, struct kp_sys *s)
{
	size_t i, k, n = 0;

	if (!rare_syscall(s->name))
		return;

	for (i = 0; i < s->nsets; i++)
		for (k = 0; k < s->sets[i].n; k++)
			if (s->sets[i].atoms[k].field == KFILTER_PATH)
				n++;
	if (n <= KP_MAX_WATCHES)
		return;
	for (i = 0; i < s->nsets; i++) {
		struct kp_set *t = &s->sets[i];

		for (k = 0; k < t->n; k++)
			if (t->atoms[k].field == KFILTER_PATH) {
				free((char *)t->atoms[k].path);
				t->atoms[k] = t->atoms[--t->n];
				break;
			}
	}
	note(p, str_printf("# %s: %zu path= filters (repeated for every "
			   "container root) give way to one rule without "
			   "them\n",
			   s->name, n));
}

/* ---- one tree for many directories ---- */

static const struct kfilter_atom *set_dir(const struct kp_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->atoms[i].field == KFILTER_DIR)
			return &s->atoms[i];
	return NULL;
}

/* Lines a and b: the same atoms but for their path= or dir=. */
static bool same_atoms(const struct kp_line *a, const struct kp_line *b)
{
	size_t i, j;

	if (a->set->n != b->set->n)
		return false;
	for (i = 0; i < a->set->n; i++) {
		bool found = false;

		if (path_atom(&a->set->atoms[i]))
			continue;
		for (j = 0; j < b->set->n && !found; j++)
			found = atom_equal(&a->set->atoms[i], &b->set->atoms[j]);
		if (!found)
			return false;
	}
	return true;
}

/* Lines a and b: the same syscalls and atoms but for their path= or
 * dir= (lines that differ only in a directory; a path= line and the
 * container tree of its shape). */
static bool same_shape(const struct kp_line *a, const struct kp_line *b)
{
	return strcmp(a->syscalls, b->syscalls) == 0 && same_atoms(a, b);
}

static bool under_dir(const char *p, const char *d)
{
	return kfilter_path_under(p, d);
}

/* May line r's tree carry the directories of the lines in grp (NULL: r
 * alone)? The kernel joins a directory to every tree whose path is r's
 * or above it (audit_tag_tree): no line outside grp may have such a
 * tree. */
static bool rep_ok(const struct kplan *p, size_t r, const bool *grp)
{
	const char *rp = set_dir(p->lines[r].set)->path;
	size_t i;

	for (i = 0; i < p->nlines; i++) {
		const struct kfilter_atom *d = set_dir(p->lines[i].set);

		if ((grp ? grp[i] : i == r) || !d)
			continue;
		if (under_dir(rp, d->path))
			return false;
	}
	return true;
}

static bool is_anchor(const struct kplan *p, const char *path)
{
	return p->anchors && under_dir(path, p->anchors);
}

/* Drop the lines whose syscalls were freed (merged or not needed), in
 * order. */
static void compact_lines(struct kplan *p)
{
	size_t i, w;

	for (i = 0, w = 0; i < p->nlines; i++)
		if (p->lines[i].syscalls)
			p->lines[w++] = p->lines[i];
		else
			free(p->lines[i].narrow);
	p->nlines = w;
}

/* Lines that differ only in a dir= become one, the others' directories
 * joined to its tree: each kernel exit rule costs every audited syscall
 * of the node, the joins cost nothing per syscall. */
static int merge_dir_lines(struct kplan *p)
{
	bool *grp = calloc(p->nlines ? p->nlines : 1, sizeof(*grp));
	size_t i, j, k, n, r;
	int rc = 0;

	if (!grp)
		return -ENOMEM;
	for (i = 0; i < p->nlines && rc == 0; i++) {
		const struct kfilter_atom *d = set_dir(p->lines[i].set);

		if (!d)
			continue;
		memset(grp, 0, p->nlines * sizeof(*grp));
		grp[i] = true;
		n = 1;
		for (j = i + 1; j < p->nlines; j++) {
			const struct kfilter_atom *e = set_dir(p->lines[j].set);

			if (e && same_shape(&p->lines[i], &p->lines[j])) {
				grp[j] = true;
				n++;
			}
		}
		if (n < 2)
			continue;
		/* a host directory's tree rather than an anchor's */
		for (k = 0, r = p->nlines; k < 2 && r == p->nlines; k++)
			for (r = i; r < p->nlines; r++)
				if (grp[r] &&
				    is_anchor(p, set_dir(p->lines[r].set)->path) ==
					    (k == 1) &&
				    rep_ok(p, r, grp))
					break;
		if (r == p->nlines)
			continue;
		for (j = 0; j < p->nlines; j++) {
			struct kp_line *t = &p->lines[r], *m = &p->lines[j];
			const char *md;
			char **na, **nw;

			if (!grp[j] || j == r)
				continue;
			na = realloc(t->also, (t->nalso + 1) * sizeof(*na));
			if (na)
				t->also = na;
			nw = realloc(t->also_want, (t->nalso + 1) * sizeof(*nw));
			if (nw)
				t->also_want = nw;
			if (!na || !nw) {
				rc = -ENOMEM;
				break;
			}
			/* an anchor is only for containers: they join the
			 * rep's tree instead, the host nothing */
			md = set_dir(m->set)->path;
			t->also[t->nalso] =
				is_anchor(p, md) ? NULL : strdup(md);
			t->also_want[t->nalso] =
				m->set->intended ? strdup(m->set->intended)
						 : NULL;
			if ((!t->also[t->nalso] && !is_anchor(p, md)) ||
			    (m->set->intended && !t->also_want[t->nalso])) {
				free(t->also[t->nalso]);
				rc = -ENOMEM;
				break;
			}
			t->nalso++;
			free(m->syscalls);
			m->syscalls = NULL;
		}
		compact_lines(p);
	}
	free(grp);
	return rc;
}

/* Calls that change a directory's entries (and the rare calls on
 * files): orders of magnitude rarer than opens and execs. */
static bool change_syscall(const char *name)
{
	static const char *const changes[] = {
		"rename", "renameat", "renameat2", "unlink", "unlinkat",
		"rmdir",  "mkdir",    "mkdirat",
	};
	size_t i;

	for (i = 0; i < sizeof(changes) / sizeof(changes[0]); i++)
		if (strcmp(name, changes[i]) == 0)
			return true;
	return rare_syscall(name);
}

/* A tree line of change calls only. */
static bool change_tree_line(const struct kp_line *l)
{
	const char *c = l->syscalls, *e;
	char name[32];

	if (!set_dir(l->set))
		return false;
	for (; *c; c = *e ? e + 1 : e) {
		e = c + strcspn(c, ",");
		if ((size_t)(e - c) >= sizeof(name))
			return false;
		memcpy(name, c, (size_t)(e - c));
		name[e - c] = '\0';
		if (!change_syscall(name))
			return false;
	}
	return true;
}

struct names {
	char **v;
	size_t n;
	bool oom;
};

static void add_name(const char *type, void *ud)
{
	struct names *l = ud;
	char **nv;
	int machine = audit_detect_machine();

	/* record types (USER_LOGIN, CONFIG_CHANGE) need no syscall rule */
	if (machine < 0 || audit_name_to_syscall(type, machine) < 0)
		return;
	nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	if (!nv || !(nv[l->n] = strdup(type))) {
		if (nv)
			l->v = nv;
		l->oom = true;
		return;
	}
	l->v = nv;
	l->n++;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* May b take a's group's calls (b == a: may a start a group)? Tree
 * lines of change calls, not widened yet, with a's atoms. */
static bool widen_with(const struct kp_line *a, const struct kp_line *b)
{
	return !b->narrow && change_tree_line(b) && same_atoms(a, b);
}

/* Tree lines of change calls that differ in their calls and directory
 * only become one (merge_dir_lines, after this gave each the union of
 * their calls): a tree that sends mkdir under /var/log as well as its
 * unlinks costs a few events; each kernel rule costs every syscall of
 * the node. A line left out of the merge gets its own calls back
 * (narrow_unmerged). */
static int widen_change_lines(struct kplan *p)
{
	struct names u = { NULL, 0, false };
	struct strbuf sb = STRBUF_INIT;
	size_t i, j, k;
	int rc = 0;

	for (i = 0; i < p->nlines && rc == 0; i++) {
		struct kp_line *a = &p->lines[i];
		size_t n = 0;
		char *all = NULL, *tok, *save = NULL;

		if (!widen_with(a, a))
			continue;
		u.n = 0;
		for (j = i; j < p->nlines; j++) {
			struct kp_line *b = &p->lines[j];
			char *more;

			if (!widen_with(a, b))
				continue;
			more = str_printf("%s%s%s", all ? all : "",
					  all ? "," : "", b->syscalls);
			n++;
			free(all);
			all = more;
			if (!all) {
				rc = -ENOMEM;
				break;
			}
		}
		if (rc || n < 2) {
			free(all);
			continue;
		}
		for (tok = strtok_r(all, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			add_name(tok, &u);
		if (u.oom) {
			free(all);
			rc = -ENOMEM;
			break;
		}
		qsort(u.v, u.n, sizeof(*u.v), name_cmp);
		strbuf_reset(&sb);
		for (k = 0; k < u.n; k++)
			if (k == 0 || strcmp(u.v[k], u.v[k - 1]) != 0)
				strbuf_appendf(&sb, "%s%s",
					       k ? "," : "", u.v[k]);
		for (k = 0; k < u.n; k++)
			free(u.v[k]);
		free(all);
		if (strbuf_failed(&sb)) {
			rc = -ENOMEM;
			break;
		}
		for (j = i; j < p->nlines; j++) {
			struct kp_line *b = &p->lines[j];
			char *w;

			if (!widen_with(a, b))
				continue;
			w = strdup(strbuf_str(&sb));
			if (!w) {
				rc = -ENOMEM;
				break;
			}
			b->narrow = b->syscalls;
			b->syscalls = w;
			b->nalso_widened = b->nalso;
		}
	}
	free(u.v);
	strbuf_free(&sb);
	return rc;
}

/* After merge_dir_lines: a widened line that took in no other gets its
 * own calls back. */
static void narrow_unmerged(struct kplan *p)
{
	size_t i;

	for (i = 0; i < p->nlines; i++) {
		struct kp_line *l = &p->lines[i];

		if (!l->narrow)
			continue;
		if (l->nalso == l->nalso_widened) {
			free(l->syscalls);
			l->syscalls = l->narrow;
		} else {
			free(l->narrow);
		}
		l->narrow = NULL;
	}
}

int kplan_host_equivs(const struct kplan *p, kplan_equiv_cb cb, void *ud)
{
	size_t i, j;
	int rc = 0;

	for (i = 0; i < p->nlines; i++) {
		const struct kfilter_atom *d = set_dir(p->lines[i].set);

		for (j = 0; d && j < p->lines[i].nalso; j++) {
			int r = p->lines[i].also[j]
					? cb(d->path, p->lines[i].also[j], ud)
					: 0;

			if (r < 0 && rc == 0)
				rc = r;
		}
	}
	return rc;
}

/* ---- containers: trees instead of a watch per root ---- */

static const struct kfilter_atom *line_path(const struct kp_line *l);


/* Does every event l's rule sends also come through h's (h's tree with
 * the directories joined to it)? */
static bool line_implies(const struct kp_line *l, const struct kp_line *h)
{
	struct kfilter_set a = view(l->set), b = view(h->set);
	struct kfilter_atom *tmp;
	const struct kfilter_atom *d = set_dir(h->set);
	size_t i, k;
	bool r;

	if (kfilter_set_implies(&a, &b))
		return true;
	if (!d || !h->nalso)
		return false;
	tmp = calloc(h->set->n, sizeof(*tmp));
	if (!tmp)
		return false;
	memcpy(tmp, h->set->atoms, h->set->n * sizeof(*tmp));
	b.atoms = tmp;
	for (r = false, i = 0; i < h->nalso && !r; i++) {
		if (!h->also[i])
			continue;
		for (k = 0; k < h->set->n; k++)
			if (tmp[k].field == KFILTER_DIR)
				tmp[k].path = h->also[i];
		r = kfilter_set_implies(&a, &b);
	}
	free(tmp);
	return r;
}

static int ct_add_want(struct kp_line *t, const char *dir)
{
	char **nw;
	size_t i;

	for (i = 0; i < t->nct; i++)
		if (strcmp(t->ct_want[i], dir) == 0)
			return 0;
	nw = realloc(t->ct_want, (t->nct + 1) * sizeof(*nw));
	if (!nw)
		return -ENOMEM;
	t->ct_want = nw;
	t->ct_want[t->nct] = strdup(dir);
	if (!t->ct_want[t->nct])
		return -ENOMEM;
	t->nct++;
	return 0;
}

/* Every path= line gets, for containers, a tree of its shape on an
 * anchor: container roots join their copies of the files' directories
 * to it (a superset: the directory instead of the file), so a container
 * costs no kernel rule however many files the rules name. Only with
 * anchors (harrierd); without, roots get watches (kplan_root_text). */
static int add_ct_lines(struct kplan *p)
{
	size_t i, j, n = p->nlines, nct = 0;

	if (!p->anchors)
		return 0;
	for (i = 0; i < n; i++) {
		struct kp_line *l = &p->lines[i], *t = NULL;
		const struct kfilter_atom *a = line_path(l);
		char *dir;
		int r;

		if (!a || a->field != KFILTER_PATH || !l->set->intended)
			continue;
		/* a host tree of the same shape, else one on an anchor */
		for (j = 0; j < p->nlines && !t; j++)
			if ((j >= n || (set_dir(p->lines[j].set) &&
					rep_ok(p, j, NULL))) &&
			    same_shape(l, &p->lines[j]))
				t = &p->lines[j];
		if (!t) {
			struct kp_set *own = calloc(1, sizeof(*own));
			struct kp_line *nl;
			char *key = str_printf("(containers %zu)", nct++);
			char *anchor = key ? anchor_for(p, key) : NULL;
			size_t k;

			free(key);
			if (!own || !anchor ||
			    !set_copy(own, l->set->atoms, l->set->n)) {
				free(own);
				free(anchor);
				return -ENOMEM;
			}
			for (k = 0; k < own->n; k++)
				if (own->atoms[k].field == KFILTER_PATH) {
					free((char *)own->atoms[k].path);
					own->atoms[k].path = anchor;
					own->atoms[k].field = KFILTER_DIR;
				}
			nl = realloc(p->lines, (p->nlines + 1) * sizeof(*nl));
			if (!nl) {
				set_clear(own);
				free(own);
				return -ENOMEM;
			}
			p->lines = nl;
			l = &p->lines[i];
			t = &p->lines[p->nlines];
			memset(t, 0, sizeof(*t));
			t->set = own;
			t->owned = own;
			t->syscalls = strdup(l->syscalls);
			p->nlines++;
			if (!t->syscalls)
				return -ENOMEM;
		}
		dir = parent_of(l->set->intended);
		if (!dir)
			return -ENOMEM;
		r = ct_add_want(t, dir);
		free(dir);
		if (r < 0)
			return r;
		l->by_tree = true;
	}
	/* A watch the host does not need (another of its rules sends all it
	 * would: the widened filter of a missing path) goes, now that
	 * containers have the tree. */
	for (i = 0; i < p->nlines; i++) {
		struct kp_line *l = &p->lines[i];
		bool drop = false;

		for (j = 0; l->by_tree && j < n && !drop; j++)
			drop = j != i && l->syscalls &&
			       p->lines[j].syscalls && !p->lines[j].by_tree &&
			       strcmp(l->syscalls, p->lines[j].syscalls) == 0 &&
			       line_implies(l, &p->lines[j]);
		if (drop) {
			free(l->syscalls);
			l->syscalls = NULL;
		}
	}
	compact_lines(p);
	for (i = 0; i < p->nlines; i++) {
		if (!p->lines[i].nct)
			continue;
		strbuf_appendf(&p->notes, "# containers: %s joined to dir=%s",
			       p->lines[i].syscalls,
			       line_path(&p->lines[i])->path);
		for (j = 0; j < p->lines[i].nct; j++)
			strbuf_appendf(&p->notes, " %s",
				       p->lines[i].ct_want[j]);
		strbuf_appends(&p->notes,
			       " (their files' directories: no rule per "
			       "container)\n");
	}
	return 0;
}

/* ---- text ---- */

static int field_rank(const struct kfilter_atom *a)
{
	/* cheap tests first: the kernel stops at the first that fails */
	switch (a->field) {
	case KFILTER_PERM:
		return 0;
	case KFILTER_SUCCESS:
		return 1;
	case KFILTER_EXIT:
		return 2;
	case KFILTER_SADDR_FAM:
		return 3;
	case KFILTER_ARG:
		return 4;
	case KFILTER_PATH:
	case KFILTER_DIR:
		return 9;
	default:
		return 5;
	}
}

static int atom_cmp(const void *x, const void *y)
{
	const struct kfilter_atom *a = x, *b = y;
	int r = field_rank(a) - field_rank(b);

	if (r)
		return r;
	if (a->field != b->field)
		return (int)a->field - (int)b->field;
	if (a->arg != b->arg)
		return (int)a->arg - (int)b->arg;
	if (a->op != b->op)
		return (int)a->op - (int)b->op;
	if (a->path && b->path)
		return strcmp(a->path, b->path);
	return a->value < b->value ? -1 : a->value > b->value;
}

static const char *op_text(enum kfilter_op op)
{
	static const char *const t[] = { "=", "!=", "<", "<=", ">", ">=" };

	return (size_t)op < sizeof(t) / sizeof(t[0]) ? t[op] : "=";
}

static void atom_text(struct strbuf *sb, const struct kfilter_atom *a)
{
	static const char *const ids[] = {
		[KFILTER_UID] = "uid",	 [KFILTER_EUID] = "euid",
		[KFILTER_GID] = "gid",	 [KFILTER_EGID] = "egid",
		[KFILTER_AUID] = "auid", [KFILTER_PID] = "pid",
		[KFILTER_PPID] = "ppid",
	};

	strbuf_appends(sb, " -F ");
	switch (a->field) {
	case KFILTER_SUCCESS:
		strbuf_appendf(sb, "success=%d", a->value ? 1 : 0);
		break;
	case KFILTER_EXIT:
		strbuf_appendf(sb, "exit%s%lld", op_text(a->op),
			       (long long)a->value);
		break;
	case KFILTER_ARG:
		strbuf_appendf(sb, "a%u%s%lld", a->arg, op_text(a->op),
			       (long long)a->value);
		break;
	case KFILTER_PERM:
		strbuf_appendf(sb, "perm=%s%s",
			       (a->value & KFILTER_PERM_READ) ? "r" : "",
			       (a->value & KFILTER_PERM_WRITE) ? "w" : "");
		break;
	case KFILTER_SADDR_FAM:
		strbuf_appendf(sb, "saddr_fam%s%lld", op_text(a->op),
			       (long long)a->value);
		break;
	case KFILTER_PATH:
		strbuf_appendf(sb, "path=%s", a->path);
		break;
	case KFILTER_DIR:
		strbuf_appendf(sb, "dir=%s", a->path);
		break;
	default:
		strbuf_appendf(sb, "%s%s%lld", ids[a->field], op_text(a->op),
			       (long long)a->value);
		break;
	}
}

/* A set's atoms as text (its identity for grouping), sorted. */
static void set_text(struct strbuf *sb, struct kp_set *s)
{
	size_t i;

	/* (the empty set, the plain rule, has no atoms array at all) */
	if (s->n > 1)
		qsort(s->atoms, s->n, sizeof(*s->atoms), atom_cmp);
	for (i = 0; i < s->n; i++)
		atom_text(sb, &s->atoms[i]);
}

static int add_line(struct kplan *p, struct kp_set *set, const char *sc)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct kp_line *nl;
	size_t i;

	set_text(&a, set);
	for (i = 0; i < p->nlines; i++) {
		strbuf_reset(&b);
		set_text(&b, p->lines[i].set);
		if (strcmp(strbuf_str(&a), strbuf_str(&b)) == 0) {
			char *j = str_printf("%s,%s", p->lines[i].syscalls, sc);

			strbuf_free(&a);
			strbuf_free(&b);
			if (!j)
				return -ENOMEM;
			free(p->lines[i].syscalls);
			p->lines[i].syscalls = j;
			return 0;
		}
	}
	strbuf_free(&a);
	strbuf_free(&b);
	nl = realloc(p->lines, (p->nlines + 1) * sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	p->lines = nl;
	memset(&p->lines[p->nlines], 0, sizeof(p->lines[p->nlines]));
	p->lines[p->nlines].set = set;
	p->lines[p->nlines].syscalls = strdup(sc);
	if (!p->lines[p->nlines].syscalls)
		return -ENOMEM;
	p->nlines++;
	return 0;
}

static void line_text(struct strbuf *sb, const struct kp_line *l,
		      const char *root, bool b64)
{
	size_t i;

	strbuf_appendf(sb, "-a always,exit%s -S %s", b64 ? " -F arch=b64" : "",
		       l->syscalls);
	if (l->set->n > 1)
		qsort(l->set->atoms, l->set->n, sizeof(*l->set->atoms),
		      atom_cmp);
	for (i = 0; i < l->set->n; i++) {
		const struct kfilter_atom *a = &l->set->atoms[i];

		if (root && path_atom(a))
			continue;
		atom_text(sb, a);
	}
	if (!root)
		strbuf_appends(sb, " -k harrier\n");
}

/* "-a always,exit" of a line: the 64-bit ABI's rule when there are two
 * (the 32-bit one gets the catch-all, install_text). */
static void arch_line(struct strbuf *sb, const char *line, size_t len, bool b64)
{
	static const char head[] = "-a always,exit ";

	if (b64 && len >= sizeof(head) - 1 &&
	    memcmp(line, head, sizeof(head) - 1) == 0) {
		strbuf_appends(sb, head);
		strbuf_appends(sb, "-F arch=b64 ");
		strbuf_append(sb, line + sizeof(head) - 1,
			      len - (sizeof(head) - 1));
	} else {
		strbuf_append(sb, line, len);
	}
}

/* What harrierd installs. With two ABIs (x86_64: b64 and b32), every
 * filtered rule is for b64, and 32-bit calls of the same syscalls get
 * one unfiltered rule: 32-bit programs are rare, and each rule costs
 * every syscall of every process a look (a b32 twin of each filtered
 * rule would double that). */
/* Does every set of the syscall require success? */
static bool sys_successes_only(const struct kp_sys *s)
{
	size_t i, j;

	if (s->plain)
		return false;
	for (i = 0; i < s->nsets; i++) {
		bool ok = false;

		for (j = 0; j < s->sets[i].n && !ok; j++) {
			const struct kfilter_atom *a = &s->sets[i].atoms[j];

			ok = (a->field == KFILTER_SUCCESS && a->value == 1) ||
			     (a->field == KFILTER_EXIT && a->op == KFILTER_EQ &&
			      !(a->value >= -4095 && a->value <= -1));
		}
		if (!ok)
			return false;
	}
	return true;
}

static void install_text(struct kplan *p)
{
	const char *t = strbuf_str(&p->text), *nl;
	int m32 = audit_determine_machine("b32");
	size_t i, k, n;

	p->b32 = audit_determine_machine("b64") >= 0 && m32 >= 0;
	for (; *t; t = *nl ? nl + 1 : nl) {
		nl = strchr(t, '\n');
		if (!nl)
			nl = t + strlen(t);
		arch_line(&p->install, t, (size_t)(nl - t), p->b32);
		strbuf_appendc(&p->install, '\n');
	}
	if (!p->b32)
		return;
	/* two catch-alls: syscalls only successful calls of which any rule
	 * needs, and the rest */
	for (k = 0; k < 2; k++) {
		n = 0;
		for (i = 0; i < p->nsys; i++) {
			if (!p->sys[i].plain && !p->sys[i].nsets)
				continue;
			if (sys_successes_only(&p->sys[i]) != (k == 0))
				continue;
			if (audit_name_to_syscall(p->sys[i].name, m32) < 0)
				continue;
			strbuf_appends(&p->install,
				       n++ ? ","
					   : "-a always,exit -F arch=b32 -S ");
			strbuf_appends(&p->install, p->sys[i].name);
		}
		if (n)
			strbuf_appends(&p->install, k == 0 ? " -F success=1 -k "
							     "harrier\n"
							   : " -k harrier\n");
	}
}

/* ---- building ---- */

/* Before push-down: each syscall once, success=1 where no rule can
 * match a failed call. */
static void plan_plain(struct kplan *p, const struct engine *e)
{
	size_t i;

	for (i = 0; i < p->nsys; i++) {
		struct kp_sys *s = &p->sys[i];
		struct kfilter_atom ok = { KFILTER_SUCCESS, KFILTER_EQ, 1, 0,
					   NULL };

		if (engine_type_may_fail(e, s->name))
			s->plain = true;
		else if (!sys_add_set(s, &ok, 1))
			p->oom = true;
	}
}

/* Does a set of the plan filter on a path? */
static bool sys_have_paths(const struct kplan *p)
{
	size_t i, j, k;

	for (i = 0; i < p->nsys; i++)
		for (j = 0; j < p->sys[i].nsets; j++)
			for (k = 0; k < p->sys[i].sets[j].n; k++)
				if (path_atom(&p->sys[i].sets[j].atoms[k]))
					return true;
	return false;
}

/* The caller's syscalls every successful call of which it needs (how
 * container roots appear): in the plan's rules, not in rules of their
 * own, since the plan often sends them already or has a rule their
 * filter fits (success=1), and each rule costs every syscall. */
static int add_root_syscalls(struct kplan *p, const struct kplan_opts *o)
{
	struct kfilter_atom ok = { KFILTER_SUCCESS, KFILTER_EQ, 1, 0, NULL };
	struct kp_sys *ns;
	size_t i, j;

	for (i = 0; i < o->nroot_syscalls; i++) {
		struct kp_sys *s = NULL;

		for (j = 0; j < p->nsys && !s; j++)
			if (strcmp(p->sys[j].name, o->root_syscalls[i]) == 0)
				s = &p->sys[j];
		if (!s) {
			ns = realloc(p->sys, (p->nsys + 1) * sizeof(*ns));
			if (!ns)
				return -ENOMEM;
			p->sys = ns;
			s = &p->sys[p->nsys];
			memset(s, 0, sizeof(*s));
			s->name = strdup(o->root_syscalls[i]);
			if (!s->name)
				return -ENOMEM;
			p->nsys++;
		}
		strbuf_appendf(&p->notes,
			       "# %s: every successful call (harrierd learns "
			       "of container roots from it)\n",
			       s->name);
		if (s->plain)
			continue;
		if (!sys_add_set(s, &ok, 1))
			return -ENOMEM;
		sys_simplify(s);
	}
	return 0;
}

int kplan_build(const struct engine *e, const struct kplan_opts *o,
		struct kplan **ret)
{
	struct kplan *p = calloc(1, sizeof(*p));
	struct names names = { NULL, 0, false };
	bool any = false;
	size_t i, j;
	int rc = 0;

	if (!p)
		return -ENOMEM;
	p->pushdown = o ? o->pushdown : true;
	p->paths = o ? o->paths : KPLAN_PATHS_ALL;
	p->anchors = o ? o->anchors : NULL;
	p->stat_path = o && o->stat_path ? o->stat_path : stat_default;
	p->stat_ud = o ? o->stat_ud : NULL;
	engine_event_types(e, add_name, &names, &any);
	if (names.oom)
		goto oom;
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(*names.v), name_cmp);
	p->sys = calloc(names.n ? names.n : 1, sizeof(*p->sys));
	if (!p->sys)
		goto oom;
	for (i = 0, j = 0; i < names.n; i++) {
		if (j && strcmp(names.v[i], names.v[j - 1]) == 0)
			free(names.v[i]);
		else
			names.v[j++] = names.v[i];
	}
	names.n = j;
	for (i = 0; i < names.n; i++) {
		if (o && o->nbuiltin_keys &&
		    engine_type_needs_key(e, names.v[i], o->builtin_keys,
					  o->nbuiltin_keys)) {
			strbuf_appendf(&p->notes,
				       "# %s: only through harrierd's own rule "
				       "(every rule on it requires its key)\n",
				       names.v[i]);
			free(names.v[i]);
			continue;
		}
		p->sys[p->nsys++].name = names.v[i];
	}
	free(names.v);
	names.v = NULL;

	if (!p->pushdown) {
		plan_plain(p, e);
	} else {
		for (i = 0; i < p->nsys && !p->oom; i++) {
			struct collect c = { p, &p->sys[i] };

			rc = kfilter_derive(e, p->sys[i].name, collect_cb, &c);
			if (rc < 0)
				goto fail;
		}
	}
	if (p->oom)
		goto oom;
	for (i = 0; i < p->nsys; i++) {
		struct kp_sys *s = &p->sys[i];

		sys_simplify(s);
		for (j = 0; j < s->nsets; j++)
			resolve_set(p, s, j);
		sys_simplify(s);
		if (p->pushdown) {
			sys_widen_watches(p, s);
			sys_merge_values(p, s);
			sys_simplify(s);
		}
	}
	if (o && o->nroot_syscalls && sys_have_paths(p) &&
	    add_root_syscalls(p, o) < 0)
		goto oom;
	for (i = 0; i < p->nsys; i++) {
		struct kp_sys *s = &p->sys[i];

		if (s->plain) {
			p->stats.plain++;
			strbuf_appendf(&p->notes,
				       "# %s: unfiltered (the plain syscall "
				       "rule)%s\n",
				       s->name,
				       s->nforced ? ", needed by:" : "");
			for (j = 0; j < s->nforced; j++)
				strbuf_appendf(&p->notes, "#   %s\n",
					       s->forced[j]);
			if (s->nforced_total > s->nforced)
				strbuf_appendf(&p->notes,
					       "#   and %zu more rules\n",
					       s->nforced_total - s->nforced);
			if (add_line(p, &p->empty, s->name) < 0)
				goto oom;
			p->stats.syscalls++;
			continue;
		}
		if (s->nsets)
			p->stats.syscalls++;
		for (j = 0; j < s->nsets; j++)
			if (add_line(p, &s->sets[j], s->name) < 0)
				goto oom;
	}
	if (p->pushdown &&
	    (widen_change_lines(p) < 0 || merge_dir_lines(p) < 0))
		goto oom;
	narrow_unmerged(p);
	if (p->pushdown && add_ct_lines(p) < 0)
		goto oom;
	for (i = 0; i < p->nlines; i++) {
		const struct kp_line *l = &p->lines[i];
		const struct kfilter_atom *d = set_dir(l->set);
		size_t nct = 0;

		if (!d || !l->nalso)
			continue;
		strbuf_appendf(&p->notes, "# dir=%s also covers", d->path);
		for (j = 0; j < l->nalso; j++)
			if (l->also[j])
				strbuf_appendf(&p->notes, " %s", l->also[j]);
			else
				nct++;
		if (nct)
			strbuf_appends(&p->notes, " and containers'");
		for (j = 0; nct && j < l->nalso; j++)
			if (!l->also[j])
				strbuf_appendf(&p->notes, " %s",
					       l->also_want[j]);
		strbuf_appends(&p->notes, " (one tree: auditctl -M)\n");
	}
	for (i = 0; i < p->nlines; i++) {
		line_text(&p->text, &p->lines[i], NULL, false);
		for (j = 0; j < p->lines[i].set->n; j++) {
			if (p->lines[i].set->atoms[j].field == KFILTER_DIR)
				p->stats.trees++;
			else if (p->lines[i].set->atoms[j].field ==
				 KFILTER_PATH)
				p->stats.watches++;
		}
	}
	p->stats.lines = p->nlines;
	install_text(p);
	if (any)
		strbuf_appends(&p->notes,
			       "# some rule has no evt.type restriction: it "
			       "sees the syscalls above only\n");
	if (strbuf_failed(&p->text) || strbuf_failed(&p->notes))
		goto oom;
	*ret = p;
	return 0;
oom:
	rc = -ENOMEM;
fail:
	strv_free(names.v, names.n);
	kplan_free(p);
	return rc;
}

const char *kplan_text(const struct kplan *p)
{
	return strbuf_str(&p->text);
}

const char *kplan_install_text(const struct kplan *p)
{
	return strbuf_str(&p->install);
}

const char *kplan_notes(const struct kplan *p)
{
	return strbuf_str(&p->notes);
}

void kplan_get_stats(const struct kplan *p, struct kplan_stats *ret)
{
	*ret = p->stats;
}

bool kplan_sends_all_successes(const struct kplan *p, const char *syscall)
{
	size_t i, j;

	for (i = 0; i < p->nsys; i++) {
		const struct kp_sys *s = &p->sys[i];

		if (strcmp(s->name, syscall) != 0)
			continue;
		if (s->plain)
			return true;
		for (j = 0; j < s->nsets; j++)
			if (s->sets[j].n == 1 &&
			    s->sets[j].atoms[0].field == KFILTER_SUCCESS &&
			    s->sets[j].atoms[0].value == 1)
				return true;
	}
	return false;
}

bool kplan_has_paths(const struct kplan *p)
{
	return p->stats.trees + p->stats.watches > 0;
}

/* ---- containers ---- */

static const struct kfilter_atom *line_path(const struct kp_line *l)
{
	size_t i;

	for (i = 0; i < l->set->n; i++)
		if (path_atom(&l->set->atoms[i]))
			return &l->set->atoms[i];
	return NULL;
}

int kplan_root_text(const struct kplan *p, const char *root, struct strbuf *out)
{
	size_t i, rl = strlen(root);

	for (i = 0; i < p->nlines; i++) {
		const struct kp_line *l = &p->lines[i];
		const struct kfilter_atom *a = line_path(l);
		const char *want = l->set->intended;
		char *full, *parent, *anc = NULL;

		if (!a || a->field != KFILTER_PATH || !want || l->by_tree)
			continue;
		full = str_printf("%s%s", root, want);
		parent = full ? parent_of(full) : NULL;
		if (!full || !parent) {
			free(full);
			free(parent);
			return -ENOMEM;
		}
		if (p->stat_path(full, p->stat_ud) != KPLAN_MISSING ||
		    p->stat_path(parent, p->stat_ud) == KPLAN_DIR) {
			line_text(out, l, root, p->b32);
			strbuf_appendf(out, " -F path=%s -k harrier_ct\n",
				       full);
		} else {
			anc = nearest_dir(p, parent, rl, false);
			if (anc) {
				line_text(out, l, root, p->b32);
				strbuf_appendf(
					out, " -F dir=%s -k harrier_ct\n", anc);
			}
		}
		free(anc);
		free(full);
		free(parent);
	}
	return strbuf_failed(out) ? -ENOMEM : 0;
}

static int root_equiv_one(const struct kplan *p, const char *root, size_t rl,
			  const char *tree, const char *want,
			  kplan_equiv_cb cb, void *ud)
{
	char *full = str_printf("%s%s", root, want), *anc;
	int r = 0;

	if (!full)
		return -ENOMEM;
	if (p->stat_path(full, p->stat_ud) != KPLAN_MISSING)
		anc = full;
	else {
		anc = nearest_dir(p, full, rl, false);
		free(full);
	}
	if (anc) {
		r = cb(tree, anc, ud);
		free(anc);
	}
	return r;
}

int kplan_root_equivs(const struct kplan *p, const char *root,
		      kplan_equiv_cb cb, void *ud)
{
	size_t i, j, rl = strlen(root);
	int rc = 0, r;

	for (i = 0; i < p->nlines; i++) {
		const struct kp_line *l = &p->lines[i];
		const struct kfilter_atom *a = line_path(l);
		const char *want = l->set->intended;
		bool seen = false;

		if (!a || a->field != KFILTER_DIR)
			continue;
		for (j = 0; j < l->nct; j++) {
			r = root_equiv_one(p, root, rl, a->path,
					   l->ct_want[j], cb, ud);
			if (r < 0 && rc == 0)
				rc = r;
		}
		for (j = 0; j < l->nalso; j++) {
			if (!l->also_want[j])
				continue;
			r = root_equiv_one(p, root, rl, a->path,
					   l->also_want[j], cb, ud);
			if (r < 0 && rc == 0)
				rc = r;
		}
		if (!want)
			continue;
		/* one call per tree path and intended directory */
		for (j = 0; j < i && !seen; j++) {
			const struct kfilter_atom *b = line_path(&p->lines[j]);

			seen = b && b->field == KFILTER_DIR &&
			       p->lines[j].set->intended &&
			       strcmp(b->path, a->path) == 0 &&
			       strcmp(p->lines[j].set->intended, want) == 0;
		}
		if (seen)
			continue;
		r = root_equiv_one(p, root, rl, a->path, want, cb, ud);
		if (r < 0 && rc == 0)
			rc = r;
	}
	return rc;
}
