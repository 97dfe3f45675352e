/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup_parse: container id, runtime and pod uid from the text of
 * /proc/PID/cgroup. A pure function over untrusted text: it never reads
 * files, never allocates, and rejects anything it does not understand
 * rather than guessing an id.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "enrich/container.h"

#define CGROUP_ID_LEN 64

struct cg_span {
	const char *p;
	size_t n;
};

static bool cg_has_prefix(struct cg_span s, const char *pfx)
{
	size_t n = strlen(pfx);

	return s.n >= n && memcmp(s.p, pfx, n) == 0;
}

static bool cg_has_suffix(struct cg_span s, const char *sfx)
{
	size_t n = strlen(sfx);

	return s.n >= n && memcmp(s.p + s.n - n, sfx, n) == 0;
}

static bool cg_eq(struct cg_span s, const char *str)
{
	return s.n == strlen(str) && memcmp(s.p, str, s.n) == 0;
}

/* Runtimes write ids as lowercase hex; anything else is not an id. */
static bool cg_is_id(const char *p, size_t n)
{
	size_t i;

	if (n != CGROUP_ID_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		      (p[i] >= 'a' && p[i] <= 'f')))
			return false;
	return true;
}

/*
 * One path component -> id and runtime. "" runtime for a bare id, whose
 * runtime depends on the parents. Monitor processes (crio-conmon-,
 * libpod-conmon-) are host-side and never match.
 */
static bool cg_component_id(struct cg_span c, const char **ret_id,
			    const char **ret_runtime)
{
	static const struct {
		const char *prefix;
		const char *runtime;
	} marks[] = {
		{ "docker-", "docker" },
		{ "cri-containerd-", "containerd" },
		{ "crio-", "cri-o" },
		{ "libpod-", "podman" },
	};
	size_t i;

	if (cg_has_suffix(c, ".scope"))
		c.n -= strlen(".scope");
	if (cg_is_id(c.p, c.n)) {
		*ret_id = c.p;
		*ret_runtime = "";
		return true;
	}
	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		size_t n = strlen(marks[i].prefix);

		if (!cg_has_prefix(c, marks[i].prefix))
			continue;
		if (cg_is_id(c.p + n, c.n - n)) {
			*ret_id = c.p + n;
			*ret_runtime = marks[i].runtime;
			return true;
		}
	}
	return false;
}

/*
 * Pod uid from "pod<uid>" (cgroupfs driver) or
 * "kubepods[-<qos>]-pod<uid_with_underscores>.slice" (systemd driver).
 */
static bool cg_component_pod(struct cg_span c, char *ret, size_t size)
{
	const char *u = NULL;
	size_t i, n = 0;

	if (cg_has_prefix(c, "pod")) {
		u = c.p + 3;
		n = c.n - 3;
	} else if (cg_has_prefix(c, "kubepods-") &&
		   cg_has_suffix(c, ".slice")) {
		struct cg_span t = { c.p, c.n - strlen(".slice") };
		size_t k;

		for (k = t.n; k >= 4; k--)
			if (memcmp(t.p + k - 4, "-pod", 4) == 0)
				break;
		if (k < 4)
			return false;
		u = t.p + k;
		n = t.n - k;
	}
	if (!u || n < 32 || n >= size)
		return false;
	for (i = 0; i < n; i++) {
		char ch = u[i];

		if (ch == '_')
			ch = '-';
		else if (!((ch >= '0' && ch <= '9') ||
			   (ch >= 'a' && ch <= 'f') || ch == '-'))
			return false;
		ret[i] = ch;
	}
	ret[n] = '\0';
	return true;
}

/*
 * Scan one cgroup path. The last component with an id wins (runc nests
 * relative paths under the caller's cgroup, so the container's own
 * component is the deepest one). A bare id needs a known parent: docker's
 * cgroupfs driver ("/docker/<id>") or a Kubernetes pod ("kubepods").
 */
static bool cg_path_match(const char *p, size_t n, struct cgroup_match *ret)
{
	struct cg_span comps[64];
	size_t nc = 0, i, k;
	const char *id = NULL, *runtime = NULL;
	bool kube = false;
	size_t at = 0;

	i = 0;
	while (i < n) {
		size_t s;

		while (i < n && p[i] == '/')
			i++;
		s = i;
		while (i < n && p[i] != '/')
			i++;
		if (i > s) {
			if (nc == sizeof(comps) / sizeof(comps[0]))
				return false;
			comps[nc].p = p + s;
			comps[nc].n = i - s;
			nc++;
		}
	}
	for (k = nc; k > 0; k--) {
		if (cg_component_id(comps[k - 1], &id, &runtime)) {
			at = k - 1;
			break;
		}
	}
	if (!id)
		return false;
	for (k = 0; k < at; k++)
		if (cg_has_prefix(comps[k], "kubepods"))
			kube = true;
	if (!*runtime) {
		if (at > 0 && cg_eq(comps[at - 1], "docker"))
			runtime = "docker";
		else if (kube)
			runtime = "cri";
		else
			return false;
	}
	memset(ret, 0, sizeof(*ret));
	memcpy(ret->id, id, CGROUP_ID_LEN);
	memcpy(ret->runtime, runtime, strlen(runtime));
	if (kube)
		for (k = 0; k < at; k++)
			if (cg_component_pod(comps[k], ret->pod_uid,
					     sizeof(ret->pod_uid)))
				break;
	return true;
}

/* Controllers whose path follows the container (v2's unified line too). */
static bool cg_preferred(const char *c, size_t n)
{
	static const char *const pref[] = { "cpu", "memory", "pids",
					    "name=systemd" };
	size_t i = 0;

	if (n == 0)
		return true;
	while (i < n) {
		size_t s = i, j;

		while (i < n && c[i] != ',')
			i++;
		for (j = 0; j < sizeof(pref) / sizeof(pref[0]); j++)
			if (i - s == strlen(pref[j]) &&
			    memcmp(c + s, pref[j], i - s) == 0)
				return true;
		i++;
	}
	return false;
}

int cgroup_parse(const char *text, size_t len, struct cgroup_match *ret)
{
	struct cgroup_match best, cur;
	bool have = false, have_pref = false;
	size_t i = 0;

	if (!text)
		return -EINVAL;
	if (memchr(text, '\0', len))
		return -EINVAL;
	while (i < len) {
		const char *line = text + i, *c1, *c2, *end;
		size_t ln, k;

		end = memchr(line, '\n', len - i);
		ln = end ? (size_t)(end - line) : len - i;
		i += ln + 1;
		if (ln == 0)
			continue;
		c1 = memchr(line, ':', ln);
		if (!c1 || c1 == line)
			return -EINVAL;
		for (k = 0; line + k < c1; k++)
			if (line[k] < '0' || line[k] > '9')
				return -EINVAL;
		c2 = memchr(c1 + 1, ':', ln - (size_t)(c1 + 1 - line));
		if (!c2 || c2 + 1 >= line + ln || c2[1] != '/')
			return -EINVAL;
		if (have_pref)
			continue;
		if (!cg_path_match(c2 + 1, ln - (size_t)(c2 + 1 - line), &cur))
			continue;
		if (cg_preferred(c1 + 1, (size_t)(c2 - c1 - 1))) {
			best = cur;
			have = have_pref = true;
		} else if (!have) {
			best = cur;
			have = true;
		}
	}
	if (!have)
		return 0;
	*ret = best;
	return 1;
}
