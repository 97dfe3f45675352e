/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container root discovery. Everything read here (argv, bundles,
 * /proc/PID/mountinfo) is untrusted: sizes are bounded, paths must be
 * absolute, and a candidate counts only when stat() says it is a
 * directory that is not our own root.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "common/limits.h"
#include "common/strbuf.h"
#include "kaudit/kroots.h"

/* Runtimes whose argv names the bundle: runc and its kin. */
static const char *const runtimes[] = { "runc", "crun", "youki",
					"docker-runc" };
/* Their global options that take a value (before the subcommand). */
static const char *const global_valued[] = {
	"--root", "--log",	"--log-format",
	"--criu", "--rootless", "--cgroup-manager"
};

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static bool in_list(const char *s, const char *const *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, l[i]) == 0)
			return true;
	return false;
}

/* A directory, and not the root we run in. */
static bool foreign_dir(const char *path)
{
	struct stat st, self;

	if (path[0] != '/' || stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return false;
	if (stat("/", &self) < 0)
		return false;
	return st.st_dev != self.st_dev || st.st_ino != self.st_ino;
}

static bool has_dir(const char *root, const char *name)
{
	char p[PATH_MAX];
	struct stat st;
	int n = snprintf(p, sizeof(p), "%s/%s", root, name);

	return n > 0 && (size_t)n < sizeof(p) && stat(p, &st) == 0 &&
	       S_ISDIR(st.st_mode);
}

/* Lexically normalised absolute path (no ".", "..", "//", trailing /). */
static char *normalise(const char *p)
{
	size_t len = strlen(p), o = 0, i = 0;
	char *out;

	if (p[0] != '/')
		return NULL;
	out = malloc(len + 2);
	if (!out)
		return NULL;
	while (i < len) {
		size_t s, cl;

		while (i < len && p[i] == '/')
			i++;
		s = i;
		while (i < len && p[i] != '/')
			i++;
		cl = i - s;
		if (cl == 0 || (cl == 1 && p[s] == '.'))
			continue;
		if (cl == 2 && p[s] == '.' && p[s + 1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			continue;
		}
		out[o++] = '/';
		memcpy(out + o, p + s, cl);
		o += cl;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

/* The root.path of bundle/config.json, absolute, and its
 * linux.cgroupsPath as a /proc/PID/cgroup line (NULL when none). */
static int bundle_root(const char *bundle, char **ret, char **ret_cgroup)
{
	struct json_object *obj = NULL, *root, *path, *lnx, *cg;
	char *buf = NULL, *cfg, *joined = NULL;
	const char *rp;
	size_t len;
	int r;

	cfg = str_printf("%s/config.json", bundle);
	if (!cfg)
		return -ENOMEM;
	r = read_file_max(cfg, HARRIER_CONTAINER_STATE_MAX_BYTES, O_NOFOLLOW,
			  &buf, &len);
	free(cfg);
	if (r < 0)
		return r == -ENOMEM ? r : -ENOENT;
	obj = json_tokener_parse(buf);
	free(buf);
	r = -ENOENT;
	if (obj && json_object_object_get_ex(obj, "root", &root) &&
	    json_object_object_get_ex(root, "path", &path) &&
	    json_object_is_type(path, json_type_string)) {
		rp = json_object_get_string(path);
		joined = rp[0] == '/' ? strdup(rp)
				      : str_printf("%s/%s", bundle, rp);
		if (!joined) {
			r = -ENOMEM;
		} else {
			*ret = normalise(joined);
			r = *ret ? 0 : -ENOMEM;
		}
	}
	*ret_cgroup = NULL;
	if (r == 0 && json_object_object_get_ex(obj, "linux", &lnx) &&
	    json_object_object_get_ex(lnx, "cgroupsPath", &cg) &&
	    json_object_is_type(cg, json_type_string)) {
		const char *c = json_object_get_string(cg);

		/* runc's systemd form "slice:prefix:name" is not a path */
		if (!strchr(c, ':'))
			*ret_cgroup = str_printf("0::%s%s\n",
						 c[0] == '/' ? "" : "/", c);
	}
	free(joined);
	json_object_put(obj);
	return r;
}

int kroots_from_runtime(const struct event *ev, char **ret_root,
			char **ret_cgroup)
{
	const char *bundle = NULL;
	char *b = NULL, *root = NULL, *cg = NULL;
	size_t i = 1;
	bool start = false;
	int r;

	if (ev->kind != EVENT_KIND_SYSCALL || ev->success != 1 ||
	    !ev->syscall_name ||
	    (strcmp(ev->syscall_name, "execve") != 0 &&
	     strcmp(ev->syscall_name, "execveat") != 0) ||
	    ev->argc < 2 || !ev->argv_from_execve)
		return -ENOENT;
	if (!in_list(base_name(ev->argv[0]), runtimes,
		     sizeof(runtimes) / sizeof(runtimes[0])) &&
	    !(ev->exe && in_list(base_name(ev->exe), runtimes,
				 sizeof(runtimes) / sizeof(runtimes[0]))))
		return -ENOENT;
	/* global options, then the subcommand */
	for (; i < ev->argc && ev->argv[i][0] == '-'; i++)
		if (!strchr(ev->argv[i], '=') &&
		    in_list(ev->argv[i], global_valued,
			    sizeof(global_valued) / sizeof(global_valued[0])))
			i++;
	if (i >= ev->argc || (strcmp(ev->argv[i], "create") != 0 &&
			      strcmp(ev->argv[i], "run") != 0))
		return -ENOENT;
	for (i++; i < ev->argc; i++) {
		const char *a = ev->argv[i];

		start = true;
		if ((strcmp(a, "--bundle") == 0 || strcmp(a, "-b") == 0) &&
		    i + 1 < ev->argc)
			bundle = ev->argv[++i];
		else if (strncmp(a, "--bundle=", 9) == 0)
			bundle = a + 9;
	}
	if (!start)
		return -ENOENT;
	if (!bundle)
		bundle = ev->cwd; /* runc's default: the working directory */
	if (!bundle)
		return -ENOENT;
	if (bundle[0] != '/') {
		if (!ev->cwd)
			return -ENOENT;
		b = str_printf("%s/%s", ev->cwd, bundle);
		if (!b)
			return -ENOMEM;
		bundle = b;
	}
	r = bundle_root(bundle, &root, &cg);
	free(b);
	if (r < 0)
		return r;
	if (!foreign_dir(root)) {
		free(root);
		free(cg);
		return -ENOENT;
	}
	*ret_root = root;
	*ret_cgroup = cg;
	return 0;
}

int kroots_from_mount(const struct event *ev, char **ret_root)
{
	const char *target;
	char *root;

	if (ev->kind != EVENT_KIND_SYSCALL || ev->success != 1 ||
	    !ev->syscall_name || strcmp(ev->syscall_name, "mount") != 0 ||
	    ev->npaths == 0)
		return -ENOENT;
	/* the kernel looks the target up first: item 0 */
	target = ev->paths[0].name;
	if (!target || strcmp(target, "/") == 0)
		return -ENOENT;
	root = normalise(target);
	if (!root)
		return -ENOMEM;
	if (!foreign_dir(root) || !has_dir(root, "etc") ||
	    !(has_dir(root, "bin") || has_dir(root, "usr"))) {
		free(root);
		return -ENOENT;
	}
	*ret_root = root;
	return 0;
}

bool kroots_is_root(const char *path)
{
	return has_dir(path, "etc");
}

int kroots_pid_root_id(const char *proc, pid_t pid, dev_t *ret_dev,
		       ino_t *ret_ino)
{
	char p[64];
	struct stat st;
	int n = snprintf(p, sizeof(p), "%s/%ld/root", proc, (long)pid);

	if (n < 0 || (size_t)n >= sizeof(p))
		return -EINVAL;
	if (stat(p, &st) < 0)
		return -errno;
	*ret_dev = st.st_dev;
	*ret_ino = st.st_ino;
	return 0;
}

/* Undo mountinfo's octal escapes (\040 for a blank) in place. */
static void unescape(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT ...". The
 * pointers go into line (modified). */
static bool mi_parse(char *line, char **ret_dev, char **ret_root, char **ret_mp)
{
	char *f[5], *save = NULL, *t;
	int n = 0;

	for (t = strtok_r(line, " ", &save); t && n < 5;
	     t = strtok_r(NULL, " ", &save))
		f[n++] = t;
	if (n < 5)
		return false;
	unescape(f[3]);
	unescape(f[4]);
	*ret_dev = f[2];
	*ret_root = f[3];
	*ret_mp = f[4];
	return true;
}

static int read_mountinfo(const char *path, char **ret)
{
	size_t len;

	return read_file_max(path, HARRIER_CONTAINER_STATE_MAX_BYTES, 0, ret,
			     &len);
}

int kroots_of_pid(const char *proc, pid_t pid, char **ret_root)
{
	char path[64], *mi = NULL, *self = NULL, *line, *save = NULL;
	char *cdev = NULL, *croot = NULL, *found = NULL;
	struct stat want, st, ours;
	int n, r;

	n = snprintf(path, sizeof(path), "%s/%ld/root", proc, (long)pid);
	if (n < 0 || (size_t)n >= sizeof(path) || stat(path, &want) < 0 ||
	    stat("/", &ours) < 0)
		return -ENOENT;
	if (want.st_dev == ours.st_dev && want.st_ino == ours.st_ino)
		return -ENOENT;
	n = snprintf(path, sizeof(path), "%s/%ld/mountinfo", proc, (long)pid);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENOENT;
	r = read_mountinfo(path, &mi);
	if (r < 0)
		return r == -ENOMEM ? r : -ENOENT;
	/* the process's "/" mount: the last one listed wins (stacked) */
	for (line = strtok_r(mi, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *d, *rt, *mp;

		if (mi_parse(line, &d, &rt, &mp) && strcmp(mp, "/") == 0) {
			cdev = d;
			croot = rt;
		}
	}
	if (!cdev)
		goto out;
	n = snprintf(path, sizeof(path), "%s/self/mountinfo", proc);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    read_mountinfo(path, &self) < 0)
		goto out;
	save = NULL;
	for (line = strtok_r(self, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char *d, *rt, *mp, *cand;
		size_t rl;

		if (!mi_parse(line, &d, &rt, &mp) || strcmp(d, cdev) != 0)
			continue;
		rl = strcmp(rt, "/") == 0 ? 0 : strlen(rt);
		if (strncmp(croot, rt, rl) != 0 ||
		    (croot[rl] != '\0' && croot[rl] != '/'))
			continue;
		cand = str_printf("%s/%s", mp, croot + rl);
		if (!cand) {
			r = -ENOMEM;
			goto out;
		}
		found = normalise(cand);
		free(cand);
		if (found &&
		    (stat(found, &st) < 0 || st.st_dev != want.st_dev ||
		     st.st_ino != want.st_ino)) {
			free(found);
			found = NULL;
		}
	}
out:
	free(mi);
	free(self);
	if (found) {
		*ret_root = found;
		return 0;
	}
	return r == -ENOMEM ? r : -ENOENT;
}

struct seen {
	dev_t dev;
	ino_t ino;
};

int kroots_scan(const char *proc,
		void (*cb)(pid_t pid, dev_t dev, ino_t ino, void *ud), void *ud)
{
	struct seen *seen = NULL, *ns;
	size_t nseen = 0, i;
	struct stat ours;
	struct dirent *de;
	DIR *d = opendir(proc);
	int count = 0;

	if (!d)
		return -errno;
	if (stat("/", &ours) < 0) {
		closedir(d);
		return -errno;
	}
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		dev_t dev;
		ino_t ino;
		bool dup = false;

		if (*end || pid <= 0 || pid > INT_MAX)
			continue;
		if (kroots_pid_root_id(proc, (pid_t)pid, &dev, &ino) < 0)
			continue;
		if (dev == ours.st_dev && ino == ours.st_ino)
			continue;
		for (i = 0; i < nseen && !dup; i++)
			dup = seen[i].dev == dev && seen[i].ino == ino;
		if (dup)
			continue;
		ns = realloc(seen, (nseen + 1) * sizeof(*seen));
		if (!ns)
			break;
		seen = ns;
		seen[nseen].dev = dev;
		seen[nseen].ino = ino;
		nseen++;
		count++;
		cb((pid_t)pid, dev, ino, ud);
	}
	closedir(d);
	free(seen);
	return count;
}
