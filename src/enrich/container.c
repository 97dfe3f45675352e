/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container metadata cache: per container id, name, image and pod facts
 * read from the runtime's state on disk (no runtime API calls, nothing
 * that can block on a socket). Every file here is untrusted: its size is
 * capped, its JSON may be malformed or of the wrong types, and either
 * only leaves the field unknown.
 *
 * Sources, first value found wins, in this order:
 *  1. docker     /var/lib/docker/containers/<id>/config.v2.json
 *                ("Name", "Config.Image", "Config.Labels")
 *  2. containerd /run/containerd/io.containerd.runtime.v2.task/<ns>/<id>/
 *                config.json (OCI "annotations")
 *  3. CRI-O and podman
 *                /run/containers/storage/overlay-containers/<id>/userdata/
 *                config.json, then the same under /var/lib/containers
 *                (OCI "annotations"); podman's name and image from
 *                /var/lib/containers/storage/overlay-containers/
 *                containers.json ("names", "metadata")
 *  4. runc       /run/runc/<id>/state.json and
 *                /run/docker/runtime-runc/moby/<id>/state.json
 *                ("config.labels": runc copies the OCI annotations there
 *                as "key=value", plus "bundle=DIR"; DIR/config.json's
 *                annotations are read too)
 * Annotation keys, in order of preference for each field:
 *  pod name       io.kubernetes.pod.name (CRI-O, dockershim labels),
 *                 io.kubernetes.cri.sandbox-name (containerd)
 *  pod namespace  io.kubernetes.pod.namespace,
 *                 io.kubernetes.cri.sandbox-namespace
 *  pod uid        io.kubernetes.pod.uid, io.kubernetes.cri.sandbox-uid,
 *                 then the uid in the cgroup path
 *  k8s container  io.kubernetes.container.name,
 *                 io.kubernetes.cri.container-name
 *  image          docker's Config.Image, io.kubernetes.cri.image-name,
 *                 io.kubernetes.cri-o.ImageName, podman's image-name
 *  name           docker's Name, podman's names[0], else the Kubernetes
 *                 container name (what Falco shows for CRI containers)
 * A "cri" runtime from the cgroup path (a pod path with no runtime marker)
 * is refined to the runtime whose state held the container.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
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

/* Twice the entries, power of two: short chains for a fixed table. */
#define CC_BUCKETS 8192

/* Namespaces scanned under the containerd task directory. */
#define CC_MAX_NAMESPACES 64

struct cc_meta {
	char *name, *image, *pod_name, *pod_namespace, *pod_uid, *k8s_name;
	const char *runtime_hint;
	bool found; /* some state file parsed */
	int privileged; /* 1, 0, -1 unknown */
	uint64_t start_ts;
	struct event_mount *mounts; /* strings owned */
	size_t nmounts;
};

struct cc_entry {
	char id[65];
	char match_pod_uid[40];
	const char *match_runtime;
	struct cc_meta meta;
	struct event_container pub;
	unsigned int retries;
	uint64_t next_retry_ms;
	uint64_t last_try_ns; /* CLOCK_REALTIME, to compare with events */
	struct cc_entry *hnext; /* hash chain */
	struct cc_entry *prev, *next; /* LRU list, head = most recent */
};

/* Runtime roots whose state.json files name container inits. */
static const char *const cc_init_dirs[] = {
	"/run/runc",
	"/run/docker/runtime-runc/moby",
	"/run/containerd/runc/k8s.io",
	"/run/containerd/runc/default",
};
#define CC_INIT_DIRS (sizeof(cc_init_dirs) / sizeof(cc_init_dirs[0]))
/* A lookup that misses rescans at most this often: a stat of each
 * state.json, and a read of the new or changed ones only. */
#define CC_INIT_RESCAN_MS 10

struct cc_init {
	char dir[80]; /* the container's directory name under its root */
	unsigned int root; /* index in cc_init_dirs */
	bool has_state; /* it had a state.json at the last look */
	struct timespec mtime; /* of its state.json */
	pid_t pid; /* 0: the state names no init (yet) */
	struct cgroup_match m;
};

/* A runtime root as last listed: while its mtime stays the same, no
 * directory was added or removed in it, and a rescan stats the
 * state.json of the directories it had instead of listing it again. */
struct cc_init_root {
	bool listed; /* mtime is one the listing can be trusted for */
	struct timespec mtime;
};

struct container_cache {
	char *root; /* without trailing '/'; "" for "/" */
	struct cc_entry *buckets[CC_BUCKETS];
	struct cc_entry *head, *tail;
	size_t n;
	const struct hclock *clock; /* NULL: the system's */
	/* container inits named by runtime state, for container_find_init */
	struct cc_init *inits;
	size_t ninits;
	bool inits_valid; /* scanned at least once */
	struct cc_init_root init_roots[CC_INIT_DIRS];
	uint64_t inits_scanned_ms;
	uint64_t inits_scanned_ns; /* CLOCK_REALTIME, to compare with events */
};

static uint64_t cc_now_ms(const struct container_cache *cc)
{
	return clock_mono_ms(cc->clock);
}

static uint64_t cc_real_ns(const struct container_cache *cc)
{
	return clock_real_ns(cc->clock);
}

/* The kernel stamps audit events with the coarse clock: an event's time
 * may be up to one tick (4 ms at HZ=250) before the moment it stands for.
 * A look at the runtime state counts as after an exec only past that. */
static uint64_t cc_event_clock_slack_ns(void)
{
	static uint64_t slack;
	struct timespec res;

	if (!slack) {
		if (clock_getres(CLOCK_REALTIME_COARSE, &res) == 0 &&
		    res.tv_sec == 0 && res.tv_nsec > 0)
			slack = (uint64_t)res.tv_nsec;
		else
			slack = 10000000; /* HZ=100 */
		/* and the millisecond the kernel rounds down to */
		slack += 1000000;
	}
	return slack;
}

static size_t cc_hash(const char *id)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *id; id++) {
		h ^= (unsigned char)*id;
		h *= 1099511628211ULL;
	}
	return (size_t)(h & (CC_BUCKETS - 1));
}

struct container_cache *container_cache_new(const char *root)
{
	struct container_cache *cc;
	size_t n;

	if (!root)
		root = "/";
	cc = calloc(1, sizeof(*cc));
	if (!cc)
		return NULL;
	n = strlen(root);
	while (n > 0 && root[n - 1] == '/')
		n--;
	cc->root = strndup(root, n);
	if (!cc->root) {
		free(cc);
		return NULL;
	}
	return cc;
}

static void cc_meta_free(struct cc_meta *m)
{
	size_t i;

	for (i = 0; i < m->nmounts; i++) {
		free((char *)m->mounts[i].source);
		free((char *)m->mounts[i].dest);
		free((char *)m->mounts[i].mode);
		free((char *)m->mounts[i].propagation);
	}
	free(m->mounts);
	free(m->name);
	free(m->image);
	free(m->pod_name);
	free(m->pod_namespace);
	free(m->pod_uid);
	free(m->k8s_name);
}

static void cc_entry_free(struct cc_entry *e)
{
	if (!e)
		return;
	cc_meta_free(&e->meta);
	free(e);
}

void container_cache_set_clock(struct container_cache *cc,
			       const struct hclock *clock)
{
	cc->clock = clock;
}

void container_cache_free(struct container_cache *cc)
{
	struct cc_entry *e, *next;

	if (!cc)
		return;
	for (e = cc->head; e; e = next) {
		next = e->next;
		cc_entry_free(e);
	}
	free(cc->inits);
	free(cc->root);
	free(cc);
}

/* --- reading state files ---------------------------------------------- */

/* Whole regular file, NUL-terminated, at most
 * HARRIER_CONTAINER_STATE_MAX_BYTES. 0, -ENOENT, -EFBIG, -errno. */
static int cc_read_file(const char *path, char **ret_buf, size_t *ret_len)
{
	return read_file_max(path, HARRIER_CONTAINER_STATE_MAX_BYTES, 0,
			     ret_buf, ret_len);
}

/* Parsed JSON object from a file, or NULL (missing, too big, malformed,
 * not an object). */
static json_object *cc_read_json(const char *path)
{
	struct json_tokener *tok;
	json_object *obj = NULL;
	char *buf;
	size_t len;

	if (cc_read_file(path, &buf, &len) < 0)
		return NULL;
	if (len > INT32_MAX)
		goto out;
	tok = json_tokener_new();
	if (!tok)
		goto out;
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	if (obj && !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		obj = NULL;
	}
out:
	free(buf);
	return obj;
}

static int cc_path(const struct container_cache *cc, char *buf, size_t size,
		   const char *a, const char *b, const char *c)
{
	int n = snprintf(buf, size, "%s%s%s%s", cc->root, a, b ? b : "",
			 c ? c : "");

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* Set a field the first time a usable value is seen. */
static void cc_set(char **field, const char *v, size_t n)
{
	if (*field || !v || n == 0 || n > HARRIER_CONTAINER_FIELD_MAX)
		return;
	if (memchr(v, '\0', n))
		return;
	*field = strndup(v, n);
}

static void cc_set_json(char **field, json_object *v)
{
	if (v && json_object_is_type(v, json_type_string))
		cc_set(field, json_object_get_string(v),
		       (size_t)json_object_get_string_len(v));
}

static json_object *cc_get(json_object *obj, const char *key)
{
	json_object *v;

	if (!obj || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

/* One annotation or label. Keys in preference order per field: the first
 * key of a field's list is applied by cc_apply_kv before the second. */
static void cc_apply_kv(struct cc_meta *m, const char *k, const char *v,
			size_t vn, int pass)
{
	static const struct {
		const char *key;
		int pass;
		size_t off;
	} keys[] = {
		{ "io.kubernetes.pod.name", 0,
		  offsetof(struct cc_meta, pod_name) },
		{ "io.kubernetes.cri.sandbox-name", 1,
		  offsetof(struct cc_meta, pod_name) },
		{ "io.kubernetes.pod.namespace", 0,
		  offsetof(struct cc_meta, pod_namespace) },
		{ "io.kubernetes.cri.sandbox-namespace", 1,
		  offsetof(struct cc_meta, pod_namespace) },
		{ "io.kubernetes.pod.uid", 0,
		  offsetof(struct cc_meta, pod_uid) },
		{ "io.kubernetes.cri.sandbox-uid", 1,
		  offsetof(struct cc_meta, pod_uid) },
		{ "io.kubernetes.container.name", 0,
		  offsetof(struct cc_meta, k8s_name) },
		{ "io.kubernetes.cri.container-name", 1,
		  offsetof(struct cc_meta, k8s_name) },
		{ "io.kubernetes.cri.image-name", 0,
		  offsetof(struct cc_meta, image) },
		{ "io.kubernetes.cri-o.ImageName", 1,
		  offsetof(struct cc_meta, image) },
	};
	size_t i;

	if (pass == 0) {
		if (strncmp(k, "io.kubernetes.cri-o.", 20) == 0 &&
		    !m->runtime_hint)
			m->runtime_hint = "cri-o";
		else if (strcmp(k, "io.container.manager") == 0 && vn == 6 &&
			 memcmp(v, "libpod", 6) == 0 && !m->runtime_hint)
			m->runtime_hint = "podman";
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].pass == pass && strcmp(keys[i].key, k) == 0)
			cc_set((char **)((char *)m + keys[i].off), v, vn);
}

/* An OCI "annotations" / docker "Labels" object of string values. */
static void cc_apply_annotations(struct cc_meta *m, json_object *ann)
{
	int pass;

	if (!ann || !json_object_is_type(ann, json_type_object))
		return;
	for (pass = 0; pass < 2; pass++) {
		json_object_object_foreach(ann, k, v)
		{
			if (!json_object_is_type(v, json_type_string))
				continue;
			cc_apply_kv(m, k, json_object_get_string(v),
				    (size_t)json_object_get_string_len(v),
				    pass);
		}
	}
}

static const char *cc_str(json_object *v)
{
	return v && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : NULL;
}

/* An array of strings holds s. */
static bool cc_has_str(json_object *arr, const char *s)
{
	size_t i, n;

	if (!arr || !json_object_is_type(arr, json_type_array))
		return false;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		const char *x = cc_str(json_object_array_get_idx(arr, i));

		if (x && strcmp(x, s) == 0)
			return true;
	}
	return false;
}

static void cc_add_mount(struct cc_meta *m, const char *src, const char *dst,
			 const char *mode, bool rw, const char *prop)
{
	struct event_mount *mt, *nm;

	if (!dst || m->nmounts >= HARRIER_CONTAINER_MOUNTS_MAX ||
	    strlen(dst) >= HARRIER_CONTAINER_FIELD_MAX ||
	    (src && strlen(src) >= HARRIER_CONTAINER_FIELD_MAX))
		return;
	nm = realloc(m->mounts, (m->nmounts + 1) * sizeof(*nm));
	if (!nm)
		return;
	m->mounts = nm;
	mt = &nm[m->nmounts];
	mt->source = strdup(src ? src : "");
	mt->dest = strdup(dst);
	mt->mode = strdup(mode ? mode : "");
	mt->propagation = strdup(prop ? prop : "");
	mt->rw = rw;
	if (!mt->source || !mt->dest || !mt->mode || !mt->propagation) {
		free((char *)mt->source);
		free((char *)mt->dest);
		free((char *)mt->mode);
		free((char *)mt->propagation);
		return;
	}
	m->nmounts++;
}

/* OCI "mounts": [{destination, source, options: [...]}]. */
static void cc_oci_mounts(struct cc_meta *m, json_object *mounts)
{
	static const char *const props[] = { "rprivate", "private", "rshared",
					     "shared",	 "rslave",  "slave" };
	size_t i, k, n, no;

	if (m->nmounts || !mounts ||
	    !json_object_is_type(mounts, json_type_array))
		return;
	n = json_object_array_length(mounts);
	for (i = 0; i < n; i++) {
		json_object *mt = json_object_array_get_idx(mounts, i);
		json_object *opts = cc_get(mt, "options");
		struct strbuf mode = STRBUF_INIT;
		const char *prop = "";

		no = opts && json_object_is_type(opts, json_type_array)
			     ? json_object_array_length(opts)
			     : 0;
		for (k = 0; k < no; k++) {
			const char *o = cc_str(json_object_array_get_idx(opts, k));
			size_t p;

			if (!o)
				continue;
			if (mode.len)
				strbuf_appendc(&mode, ',');
			strbuf_appends(&mode, o);
			for (p = 0; p < sizeof(props) / sizeof(props[0]); p++)
				if (strcmp(o, props[p]) == 0)
					prop = props[p];
		}
		cc_add_mount(m, cc_str(cc_get(mt, "source")),
			     cc_str(cc_get(mt, "destination")),
			     strbuf_failed(&mode) ? "" : strbuf_str(&mode),
			     !cc_has_str(opts, "ro"), prop);
		strbuf_free(&mode);
	}
}

/* Privileged (docker/podman --privileged): every capability, CAP_SYS_ADMIN
 * among them, and no masked paths. */
static void cc_oci_privileged(struct cc_meta *m, json_object *caps,
			      json_object *masked)
{
	if (m->privileged != -1 || !caps)
		return;
	m->privileged = cc_has_str(caps, "CAP_SYS_ADMIN") &&
			(!masked ||
			 (json_object_is_type(masked, json_type_array) &&
			  json_object_array_length(masked) == 0));
}

/* RFC 3339 ("2026-12-01T20:51:55.123456789Z", offsets too) in ns. */
static uint64_t cc_rfc3339(const char *s)
{
	struct tm tm;
	unsigned int y, mo, d, h, mi, se;
	uint64_t ns = 0, scale = 100000000;
	long off = 0;
	const char *p;
	time_t t;
	int n = 0;

	if (!s || sscanf(s, "%4u-%2u-%2uT%2u:%2u:%2u%n", &y, &mo, &d, &h, &mi,
			 &se, &n) != 6 || n == 0)
		return 0;
	p = s + n;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			ns += (uint64_t)(*p - '0') * scale;
	if ((*p == '+' || *p == '-') && strlen(p) >= 6)
		off = (long)((p[1] - '0') * 10 + (p[2] - '0')) * 3600 +
		      (long)((p[4] - '0') * 10 + (p[5] - '0')) * 60;
	if (*p == '-')
		off = -off;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)y - 1900;
	tm.tm_mon = (int)mo - 1;
	tm.tm_mday = (int)d;
	tm.tm_hour = (int)h;
	tm.tm_min = (int)mi;
	tm.tm_sec = (int)se;
	t = timegm(&tm);
	if (t <= 0 || (long)t - off <= 0)
		return 0;
	return (uint64_t)((long)t - off) * 1000000000u + ns;
}

/* 1. docker */
static void cc_load_docker(const struct container_cache *cc, struct cc_meta *m,
			   const char *id)
{
	char path[4096];
	json_object *obj, *cfg, *v;

	if (cc_path(cc, path, sizeof(path), "/var/lib/docker/containers/", id,
		    "/config.v2.json") < 0)
		return;
	obj = cc_read_json(path);
	if (!obj)
		return;
	m->found = true;
	if (!m->runtime_hint)
		m->runtime_hint = "docker";
	v = cc_get(obj, "Name");
	if (v && json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		size_t n = (size_t)json_object_get_string_len(v);

		if (n > 0 && s[0] == '/') {
			s++;
			n--;
		}
		cc_set(&m->name, s, n);
	}
	cfg = cc_get(obj, "Config");
	cc_set_json(&m->image, cc_get(cfg, "Image"));
	cc_apply_annotations(m, cc_get(cfg, "Labels"));
	if (!m->start_ts)
		m->start_ts =
			cc_rfc3339(cc_str(cc_get(cc_get(obj, "State"), "StartedAt")));
	{
		json_object *mps = cc_get(obj, "MountPoints");

		if (!m->nmounts && mps &&
		    json_object_is_type(mps, json_type_object)) {
			json_object_object_foreach(mps, k, mp)
			{
				json_object *rw = cc_get(mp, "RW");

				(void)k;
				cc_add_mount(m, cc_str(cc_get(mp, "Source")),
					     cc_str(cc_get(mp, "Destination")),
					     cc_str(cc_get(mp, "Mode")),
					     rw && json_object_get_boolean(rw),
					     cc_str(cc_get(mp, "Propagation")));
			}
		}
	}
	json_object_put(obj);
	/* --privileged is in the host config */
	if (m->privileged == -1 &&
	    cc_path(cc, path, sizeof(path), "/var/lib/docker/containers/", id,
		    "/hostconfig.json") == 0 &&
	    (obj = cc_read_json(path))) {
		v = cc_get(obj, "Privileged");
		if (v && json_object_is_type(v, json_type_boolean))
			m->privileged = json_object_get_boolean(v);
		json_object_put(obj);
	}
}

static bool cc_load_oci_config(struct cc_meta *m, const char *path)
{
	json_object *obj = cc_read_json(path);

	if (!obj)
		return false;
	m->found = true;
	cc_apply_annotations(m, cc_get(obj, "annotations"));
	cc_oci_mounts(m, cc_get(obj, "mounts"));
	cc_oci_privileged(m,
			  cc_get(cc_get(cc_get(obj, "process"), "capabilities"),
				 "bounding"),
			  cc_get(cc_get(obj, "linux"), "maskedPaths"));
	json_object_put(obj);
	return true;
}

/* 2. containerd: the namespace is not in the cgroup path, so look in
 * each namespace directory (k8s.io, moby, default, ...). */
static void cc_load_containerd(const struct container_cache *cc,
			       struct cc_meta *m, const char *id)
{
	char dir[4096], path[4096];
	struct dirent *de;
	DIR *d;
	int nns = 0;

	if (cc_path(cc, dir, sizeof(dir),
		    "/run/containerd/io.containerd.runtime.v2.task", NULL,
		    NULL) < 0)
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) && nns < CC_MAX_NAMESPACES) {
		int n;

		if (de->d_name[0] == '.')
			continue;
		nns++;
		n = snprintf(path, sizeof(path), "%s/%s/%s/config.json", dir,
			     de->d_name, id);
		if (n < 0 || (size_t)n >= sizeof(path))
			continue;
		if (cc_load_oci_config(m, path)) {
			bool moby = strcmp(de->d_name, "moby") == 0;

			if (!m->runtime_hint)
				m->runtime_hint = moby ? "docker"
						       : "containerd";
			break;
		}
	}
	(void)closedir(d);
}

/* podman's storage index: an array of {id, names[], metadata} where
 * metadata is itself JSON text holding "image-name". */
static void cc_load_podman_index(const struct container_cache *cc,
				 struct cc_meta *m, const char *id)
{
	char path[4096];
	struct json_tokener *tok = NULL;
	json_object *arr = NULL, *md = NULL;
	char *buf = NULL;
	size_t len, i, n;

	if (cc_path(cc, path, sizeof(path),
		    "/var/lib/containers/storage/overlay-containers/"
		    "containers.json",
		    NULL, NULL) < 0)
		return;
	if (cc_read_file(path, &buf, &len) < 0 || len > INT32_MAX)
		goto out;
	tok = json_tokener_new();
	if (!tok)
		goto out;
	arr = json_tokener_parse_ex(tok, buf, (int)len);
	if (!arr || !json_object_is_type(arr, json_type_array))
		goto out;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(arr, i);
		json_object *cid = cc_get(c, "id"), *names, *meta;

		if (!cid || !json_object_is_type(cid, json_type_string) ||
		    strcmp(json_object_get_string(cid), id) != 0)
			continue;
		names = cc_get(c, "names");
		if (names && json_object_is_type(names, json_type_array) &&
		    json_object_array_length(names) > 0)
			cc_set_json(&m->name,
				    json_object_array_get_idx(names, 0));
		meta = cc_get(c, "metadata");
		if (meta && json_object_is_type(meta, json_type_string)) {
			json_tokener_reset(tok);
			md = json_tokener_parse_ex(
				tok, json_object_get_string(meta),
				json_object_get_string_len(meta));
			cc_set_json(&m->image, cc_get(md, "image-name"));
		}
		break;
	}
out:
	json_object_put(md);
	json_object_put(arr);
	if (tok)
		json_tokener_free(tok);
	free(buf);
}

/* 3. CRI-O and podman */
static void cc_load_containers_storage(const struct container_cache *cc,
				       struct cc_meta *m, const char *id)
{
	static const char *const dirs[] = {
		"/run/containers/storage/overlay-containers/",
		"/var/lib/containers/storage/overlay-containers/",
	};
	char path[4096];
	bool any = false;
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (cc_path(cc, path, sizeof(path), dirs[i], id,
			    "/userdata/config.json") < 0)
			continue;
		if (cc_load_oci_config(m, path)) {
			any = true;
			break;
		}
	}
	if (any && !m->runtime_hint)
		m->runtime_hint = "podman";
	if (any && (!m->runtime_hint || strcmp(m->runtime_hint, "podman") == 0))
		cc_load_podman_index(cc, m, id);
}

/* 4. runc's own state: labels are "key=value"; "bundle" names the OCI
 * bundle whose config.json has the annotations. The bundle path is a host
 * path: it is read under root like every other path. */
static void cc_load_runc(const struct container_cache *cc, struct cc_meta *m,
			 const char *id)
{
	static const char *const dirs[] = {
		"/run/runc/",
		"/run/docker/runtime-runc/moby/",
	};
	char path[4096];
	json_object *obj = NULL, *labels;
	size_t i, n;
	int pass;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !obj; i++) {
		if (cc_path(cc, path, sizeof(path), dirs[i], id,
			    "/state.json") < 0)
			continue;
		obj = cc_read_json(path);
		if (obj && i == 1 && !m->runtime_hint)
			m->runtime_hint = "docker";
	}
	if (!obj)
		return;
	m->found = true;
	/* runc's own view: created time, mounts (flags: MS_RDONLY = 1),
	 * capabilities and masked paths of its libcontainer config */
	if (!m->start_ts)
		m->start_ts = cc_rfc3339(cc_str(cc_get(obj, "created")));
	{
		json_object *c = cc_get(obj, "config"), *mts = cc_get(c, "mounts");
		size_t k, nm;

		nm = !m->nmounts && mts &&
				     json_object_is_type(mts, json_type_array)
			     ? json_object_array_length(mts)
			     : 0;
		for (k = 0; k < nm; k++) {
			json_object *mt = json_object_array_get_idx(mts, k);
			json_object *fl = cc_get(mt, "flags");
			int64_t f = fl && json_object_is_type(fl, json_type_int)
					    ? json_object_get_int64(fl)
					    : 0;

			cc_add_mount(m, cc_str(cc_get(mt, "source")),
				     cc_str(cc_get(mt, "destination")),
				     cc_str(cc_get(mt, "device")), !(f & 1),
				     "");
		}
		cc_oci_privileged(m,
				  cc_get(cc_get(c, "capabilities"), "Bounding"),
				  cc_get(c, "masked_paths"));
	}
	labels = cc_get(cc_get(obj, "config"), "labels");
	if (!labels || !json_object_is_type(labels, json_type_array))
		goto out;
	n = json_object_array_length(labels);
	/* The bundle's config.json first: it is the runtime's own copy. */
	for (i = 0; i < n; i++) {
		json_object *l = json_object_array_get_idx(labels, i);
		const char *s;

		if (!json_object_is_type(l, json_type_string))
			continue;
		s = json_object_get_string(l);
		if (strncmp(s, "bundle=/", 8) != 0)
			continue;
		if (cc_path(cc, path, sizeof(path), s + 7, "/config.json",
			    NULL) == 0)
			(void)cc_load_oci_config(m, path);
		break;
	}
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			json_object *l = json_object_array_get_idx(labels, i);
			const char *s, *eq;
			char key[256];
			size_t len, kl;

			if (!json_object_is_type(l, json_type_string))
				continue;
			s = json_object_get_string(l);
			len = (size_t)json_object_get_string_len(l);
			eq = memchr(s, '=', len);
			if (!eq)
				continue;
			kl = (size_t)(eq - s);
			if (kl >= sizeof(key))
				continue;
			memcpy(key, s, kl);
			key[kl] = '\0';
			cc_apply_kv(m, key, eq + 1, len - kl - 1, pass);
		}
	}
out:
	json_object_put(obj);
}

/* The cgroup paths of a runc state ("cgroup_paths": controller ->
 * "/sys/fs/cgroup/CTRL/PATH") as /proc/PID/cgroup text, parsed. */
static int cc_state_cgroup(json_object *state, struct cgroup_match *ret)
{
	json_object *paths = cc_get(state, "cgroup_paths");
	struct strbuf sb = STRBUF_INIT;
	int r = 0;

	if (!paths || !json_object_is_type(paths, json_type_object))
		return 0;
	json_object_object_foreach(paths, key, val)
	{
		const char *v, *rest;

		(void)key;
		if (!json_object_is_type(val, json_type_string))
			continue;
		v = json_object_get_string(val);
		if (strncmp(v, "/sys/fs/cgroup/", 15) != 0)
			continue;
		rest = strchr(v + 15, '/');
		strbuf_appends(&sb, "1:x:");
		strbuf_appends(&sb, rest ? rest : "/");
		strbuf_appendc(&sb, '\n');
	}
	if (!strbuf_failed(&sb) && sb.len)
		r = cgroup_parse(sb.buf, sb.len, ret);
	strbuf_free(&sb);
	return r == 1 ? 1 : 0;
}

/* A directory's mtime comes from the kernel's coarse clock: a change
 * made in the same tick as the listing can leave it as it was. The
 * listing is trusted only when the mtime is older than the listing by
 * more than a tick. */
static bool cc_mtime_settled(const struct timespec *mtime,
			     const struct timespec *listed)
{
	uint64_t m = (uint64_t)mtime->tv_sec * 1000000000ULL +
		     (uint64_t)mtime->tv_nsec;
	uint64_t l = (uint64_t)listed->tv_sec * 1000000000ULL +
		     (uint64_t)listed->tv_nsec;

	return m + cc_event_clock_slack_ns() < l;
}

/* Add directory name of root i to *fresh: its state read again only
 * when its state.json changed since old[] saw it. */
static void cc_init_add(const struct container_cache *cc, unsigned int i,
			const char *name, const struct cc_init *old,
			size_t nold, struct cc_init *fresh, size_t *n)
{
	struct cc_init *c = &fresh[*n];
	char path[4096];
	json_object *js, *ip;
	struct stat st;
	size_t k, len = strlen(name);
	int w;

	if (name[0] == '.' || len >= sizeof(c->dir))
		return;
	w = snprintf(path, sizeof(path), "%s%s/%s/state.json", cc->root,
		     cc_init_dirs[i], name);
	if (w < 0 || (size_t)w >= sizeof(path))
		return;
	memset(c, 0, sizeof(*c));
	memcpy(c->dir, name, len + 1);
	c->root = i;
	(*n)++;
	if (stat(path, &st) < 0)
		return; /* no state yet: looked at again next time */
	c->has_state = true;
	c->mtime = st.st_mtim;
	for (k = 0; k < nold; k++)
		if (old[k].root == i && old[k].has_state &&
		    strcmp(old[k].dir, c->dir) == 0 &&
		    old[k].mtime.tv_sec == c->mtime.tv_sec &&
		    old[k].mtime.tv_nsec == c->mtime.tv_nsec) {
			*c = old[k];
			return;
		}
	js = cc_read_json(path);
	ip = cc_get(js, "init_process_pid");
	if (ip && json_object_is_type(ip, json_type_int) &&
	    json_object_get_int64(ip) > 0 &&
	    json_object_get_int64(ip) <= INT32_MAX &&
	    cc_state_cgroup(js, &c->m) == 1)
		c->pid = (pid_t)json_object_get_int64(ip);
	json_object_put(js);
}

/* Grow *v to hold want entries; false past the scan's bound. */
static bool cc_inits_room(struct cc_init **v, size_t *cap, size_t want)
{
	size_t nc = *cap ? *cap : 16;
	struct cc_init *p;

	if (want <= *cap)
		return true;
	if (want > HARRIER_CONTAINER_INIT_SCAN_MAX)
		return false;
	while (nc < want)
		nc *= 2;
	if (nc > HARRIER_CONTAINER_INIT_SCAN_MAX)
		nc = HARRIER_CONTAINER_INIT_SCAN_MAX;
	p = realloc(*v, nc * sizeof(*p));
	if (!p)
		return false;
	*v = p;
	*cap = nc;
	return true;
}

/* Every runtime state under the roots: init pid -> container. A state
 * whose file did not change since the last scan is not read again; a
 * root whose directory did not change is not listed again (its
 * directories' state.json are stat'ed). On a node without containers a
 * scan is a stat per root. */
static void cc_scan_inits(struct container_cache *cc)
{
	struct cc_init *old = cc->inits, *fresh = NULL;
	size_t nold = cc->ninits, n = 0, cap = 0, k;
	unsigned int i;
	char path[4096];

	for (i = 0; i < CC_INIT_DIRS; i++) {
		struct cc_init_root *rt = &cc->init_roots[i];
		struct timespec now;
		struct dirent *de;
		struct stat st;
		bool same;
		DIR *d;

		if (cc_path(cc, path, sizeof(path), cc_init_dirs[i], NULL,
			    NULL) < 0 ||
		    stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
			rt->listed = false;
			continue;
		}
		same = rt->listed && rt->mtime.tv_sec == st.st_mtim.tv_sec &&
		       rt->mtime.tv_nsec == st.st_mtim.tv_nsec;
		if (same) {
			(void)cc_inits_room(&fresh, &cap,
					    n + nold < HARRIER_CONTAINER_INIT_SCAN_MAX
						    ? n + nold
						    : HARRIER_CONTAINER_INIT_SCAN_MAX);
			for (k = 0; k < nold && n < cap; k++)
				if (old[k].root == i)
					cc_init_add(cc, i, old[k].dir, old, nold,
						    fresh, &n);
			continue;
		}
		rt->listed = false;
		(void)clock_gettime(CLOCK_REALTIME, &now);
		d = opendir(path);
		if (!d)
			continue;
		while ((de = readdir(d))) {
			if (!cc_inits_room(&fresh, &cap, n + 1))
				break;
			cc_init_add(cc, i, de->d_name, old, nold, fresh, &n);
		}
		(void)closedir(d);
		/* complete, and the mtime will show the next change */
		if (!de && cc_mtime_settled(&st.st_mtim, &now)) {
			rt->listed = true;
			rt->mtime = st.st_mtim;
		}
	}
	free(old);
	cc->inits = fresh;
	cc->ninits = n;
	cc->inits_valid = true;
}

static int cc_init_lookup(const struct container_cache *cc, pid_t pid,
			  struct cgroup_match *ret)
{
	size_t i;

	for (i = 0; i < cc->ninits; i++)
		if (cc->inits[i].pid == pid) {
			*ret = cc->inits[i].m;
			return 1;
		}
	return 0;
}

int container_find_init(struct container_cache *cc, pid_t pid,
			uint64_t event_ns, struct cgroup_match *ret)
{
	uint64_t now = cc_now_ms(cc);

	if (pid > 0 && cc_init_lookup(cc, pid, ret))
		return 1;
	/* A scan made before the event (its state was written before the
	 * exec) may have missed it: look again then, else at most every
	 * CC_INIT_RESCAN_MS. */
	if (cc->inits_valid && now - cc->inits_scanned_ms < CC_INIT_RESCAN_MS &&
	    (!event_ns ||
	     cc->inits_scanned_ns > event_ns + cc_event_clock_slack_ns()))
		return 0;
	cc_scan_inits(cc);
	cc->inits_scanned_ms = now;
	cc->inits_scanned_ns = cc_real_ns(cc);
	return pid > 0 && cc_init_lookup(cc, pid, ret);
}

static void cc_load(const struct container_cache *cc, struct cc_entry *e)
{
	struct cc_meta *m = &e->meta;
	const char *runtime = e->match_runtime;

	cc_load_docker(cc, m, e->id);
	cc_load_containerd(cc, m, e->id);
	cc_load_containers_storage(cc, m, e->id);
	cc_load_runc(cc, m, e->id);

	if (strcmp(runtime, "cri") == 0 && m->runtime_hint)
		runtime = m->runtime_hint;
	e->pub.id = e->id;
	e->pub.runtime = runtime;
	e->pub.name = m->name ? m->name : m->k8s_name;
	e->pub.image = m->image;
	e->pub.pod_name = m->pod_name;
	e->pub.pod_namespace = m->pod_namespace;
	e->pub.pod_uid = m->pod_uid;
	if (!e->pub.pod_uid && e->match_pod_uid[0])
		e->pub.pod_uid = e->match_pod_uid;
	e->pub.k8s_container_name = m->k8s_name;
	e->pub.privileged = m->privileged;
	e->pub.start_ts = m->start_ts;
	/* set once: pointers already handed out stay valid */
	if (!e->pub.mounts && m->nmounts) {
		e->pub.mounts = m->mounts;
		e->pub.nmounts = m->nmounts;
	}
	e->last_try_ns = cc_real_ns(cc);
	if (!m->found) {
		e->retries++;
		e->next_retry_ms = cc_now_ms(cc) + HARRIER_CONTAINER_RETRY_MS;
	}
}

/* --- the cache ---------------------------------------------------------- */

static void cc_lru_unlink(struct container_cache *cc, struct cc_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		cc->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		cc->tail = e->prev;
	e->prev = e->next = NULL;
}

static void cc_lru_push(struct container_cache *cc, struct cc_entry *e)
{
	e->prev = NULL;
	e->next = cc->head;
	if (cc->head)
		cc->head->prev = e;
	cc->head = e;
	if (!cc->tail)
		cc->tail = e;
}

static void cc_evict_oldest(struct container_cache *cc)
{
	struct cc_entry *e = cc->tail, **pp;

	if (!e)
		return;
	cc_lru_unlink(cc, e);
	for (pp = &cc->buckets[cc_hash(e->id)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	}
	cc->n--;
	cc_entry_free(e);
}

static const struct event_container *
cc_lookup(struct container_cache *cc, const struct cgroup_match *m,
	  bool exec, uint64_t exec_time_ns)
{
	struct cc_entry *e;
	size_t h, idlen;
	uint64_t now;

	if (!cc || !m)
		return NULL;
	idlen = strnlen(m->id, sizeof(m->id));
	if (idlen == 0 || idlen == sizeof(m->id))
		return NULL;
	h = cc_hash(m->id);
	for (e = cc->buckets[h]; e; e = e->hnext)
		if (strcmp(e->id, m->id) == 0)
			break;
	if (e) {
		if (e != cc->head) {
			cc_lru_unlink(cc, e);
			cc_lru_push(cc, e);
		}
		/* Metadata was missing (container starting): look again,
		 * filling only fields still unknown, so pointers already
		 * handed out stay valid. The runtime's own processes run in
		 * the container's cgroup before it has saved its state; an
		 * exec inside comes after (runc, podman and containerd write
		 * the state before they start the process), so an exec
		 * looks again at once, unless the last look came after it
		 * (by more than the event clock's granularity). */
		if (!e->meta.found &&
		    e->retries <= HARRIER_CONTAINER_RETRY_MAX) {
			now = cc_now_ms(cc);
			if (now >= e->next_retry_ms ||
			    (exec && e->last_try_ns <
					     exec_time_ns +
						     cc_event_clock_slack_ns()))
				cc_load(cc, e);
		}
		return &e->pub;
	}

	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->meta.privileged = -1;
	e->pub.privileged = -1;
	memcpy(e->id, m->id, idlen);
	if (strnlen(m->pod_uid, sizeof(m->pod_uid)) < sizeof(m->pod_uid))
		memcpy(e->match_pod_uid, m->pod_uid, sizeof(m->pod_uid));
	/* runtime names are a closed set: point at static strings so the
	 * entry never depends on the caller's match. */
	if (strcmp(m->runtime, "docker") == 0)
		e->match_runtime = "docker";
	else if (strcmp(m->runtime, "containerd") == 0)
		e->match_runtime = "containerd";
	else if (strcmp(m->runtime, "cri-o") == 0)
		e->match_runtime = "cri-o";
	else if (strcmp(m->runtime, "podman") == 0)
		e->match_runtime = "podman";
	else
		e->match_runtime = "cri";
	cc_load(cc, e);

	if (cc->n >= HARRIER_CONTAINER_CACHE_MAX)
		cc_evict_oldest(cc);
	e->hnext = cc->buckets[h];
	cc->buckets[h] = e;
	cc_lru_push(cc, e);
	cc->n++;
	return &e->pub;
}

const struct event_container *container_cache_get(struct container_cache *cc,
						  const struct cgroup_match *m)
{
	return cc_lookup(cc, m, false, 0);
}

const struct event_container *
container_cache_get_exec(struct container_cache *cc,
			 const struct cgroup_match *m, uint64_t exec_time_ns)
{
	return cc_lookup(cc, m, true,
			 exec_time_ns ? exec_time_ns : cc_real_ns(cc));
}
