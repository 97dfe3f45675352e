/* SPDX-License-Identifier: Apache-2.0 */
/*
 * container_cache against runtime state files laid out in a temp dir as
 * docker, containerd, CRI-O, podman and runc write them; malformed,
 * wrongly-typed and oversized files; retry of a container whose state
 * appears late; bounded size with least-recently-used eviction.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_util.h"

#include "common/limits.h"
#include "enrich/container.h"

#define ID_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID_D "5bd0c2a4-1e7e-4f07-9c55-2f1d0b3a8e11"

struct fixture {
	char root[128];
	struct container_cache *cc;
};

/* Write root/rel (creating directories) with the given bytes. */
static void put(const struct fixture *f, const char *rel, const char *data,
		size_t len)
{
	char path[PATH_MAX], dir[PATH_MAX], *slash;
	FILE *fp;

	assert_true(snprintf(path, sizeof(path), "%s/%s", f->root, rel) <
		    (int)sizeof(path));
	memcpy(dir, path, sizeof(dir));
	slash = strrchr(dir, '/');
	*slash = '\0';
	mkdirs(dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void puts_(const struct fixture *f, const char *rel, const char *s)
{
	put(f, rel, s, strlen(s));
}

static void rm_(const struct fixture *f, const char *rel)
{
	char path[PATH_MAX];

	assert_true(snprintf(path, sizeof(path), "%s/%s", f->root, rel) <
		    (int)sizeof(path));
	assert_int_equal(unlink(path), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->root, sizeof(f->root),
		 "/tmp/harrier-test-container-XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	f->cc = container_cache_new(f->root);
	if (!f->cc)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	container_cache_free(f->cc);
	(void)rm_tree(f->root);
	free(f);
	return 0;
}

static struct cgroup_match match(const char *id, const char *runtime,
				 const char *pod_uid)
{
	struct cgroup_match m;

	memset(&m, 0, sizeof(m));
	snprintf(m.id, sizeof(m.id), "%s", id);
	snprintf(m.runtime, sizeof(m.runtime), "%s", runtime);
	snprintf(m.pod_uid, sizeof(m.pod_uid), "%s", pod_uid);
	return m;
}

static const struct event_container *
get(struct fixture *f, const char *id, const char *runtime, const char *pod_uid)
{
	struct cgroup_match m = match(id, runtime, pod_uid);
	const struct event_container *c = container_cache_get(f->cc, &m);

	assert_non_null(c);
	assert_string_equal(c->id, id);
	return c;
}

static void assert_all_unknown(const struct event_container *c)
{
	assert_null(c->name);
	assert_null(c->image);
	assert_null(c->pod_name);
	assert_null(c->pod_namespace);
	assert_null(c->k8s_container_name);
}

static void test_docker_config_v2(void **state)
{
	struct fixture *f = *state;
	const struct event_container *c;

	puts_(f, "var/lib/docker/containers/" ID_A "/config.v2.json",
	      "{\"ID\":\"" ID_A "\",\"Name\":\"/web-1\","
	      "\"Config\":{\"Image\":\"nginx:1.25\",\"Labels\":{"
	      "\"maintainer\":\"x\"}}}");
	c = get(f, ID_A, "docker", "");
	assert_string_equal(c->runtime, "docker");
	assert_string_equal(c->name, "web-1");
	assert_string_equal(c->image, "nginx:1.25");
	assert_null(c->pod_name);
}

static void test_dockershim_labels_give_pod(void **state)
{
	struct fixture *f = *state;
	const struct event_container *c;

	puts_(f, "var/lib/docker/containers/" ID_A "/config.v2.json",
	      "{\"Name\":\"/k8s_app_web_prod_" UID_D "_0\","
	      "\"Config\":{\"Image\":\"registry/app:2\",\"Labels\":{"
	      "\"io.kubernetes.pod.name\":\"web\","
	      "\"io.kubernetes.pod.namespace\":\"prod\","
	      "\"io.kubernetes.pod.uid\":\"" UID_D "\","
	      "\"io.kubernetes.container.name\":\"app\"}}}");
	c = get(f, ID_A, "docker", UID_D);
	assert_string_equal(c->pod_name, "web");
	assert_string_equal(c->pod_namespace, "prod");
	assert_string_equal(c->pod_uid, UID_D);
	assert_string_equal(c->k8s_container_name, "app");
	assert_string_equal(c->image, "registry/app:2");
}

static void test_containerd_k8s_annotations(void **state)
{
	struct fixture *f = *state;
	const struct event_container *c;

	puts_(f,
	      "run/containerd/io.containerd.runtime.v2.task/k8s.io/" ID_A
	      "/config.json",
	      "{\"ociVersion\":\"1.1.0\",\"annotations\":{"
	      "\"io.kubernetes.cri.container-type\":\"container\","
	      "\"io.kubernetes.cri.container-name\":\"nginx\","
	      "\"io.kubernetes.cri.image-name\":\"docker.io/library/nginx:1\","
	      "\"io.kubernetes.cri.sandbox-name\":\"web-7d4\","
	      "\"io.kubernetes.cri.sandbox-namespace\":\"default\","
	      "\"io.kubernetes.cri.sandbox-uid\":\"" UID_D "\"}}");
	/* a bare kubepods path says "cri"; the state says containerd */
	c = get(f, ID_A, "cri", UID_D);
	assert_string_equal(c->runtime, "containerd");
	assert_string_equal(c->name, "nginx");
	assert_string_equal(c->k8s_container_name, "nginx");
	assert_string_equal(c->image, "docker.io/library/nginx:1");
	assert_string_equal(c->pod_name, "web-7d4");
	assert_string_equal(c->pod_namespace, "default");
	assert_string_equal(c->pod_uid, UID_D);
}

static void test_containerd_moby_namespace_is_docker(void **state)
{
	struct fixture *f = *state;
	const struct event_container *c;

	puts_(f,
	      "run/containerd/io.containerd.runtime.v2.task/moby/" ID_A
	      "/config.json",
	      "{\"annotations\":{}}");
	c = get(f, ID_A, "cri", "");
	assert_string_equal(c->runtime, "docker");
	assert_all_unknown(c);
}

static void test_crio_annotations(void **state)
{
	struct fixture *f = *state;
	const struct event_container *c;

	puts_(f,
	      "run/containers/storage/overlay-containers/" ID_A
	      "/userdata/config.json",
	      "{\"annotations\":{"
	      "\"io.kubernetes.cri-o.ImageName\":\"quay.io/x/y:3\","
	      "\"io.kubernetes.pod.name\":\"db-0\","
	      "\"io.kubernetes.pod.namespace\":\"data\","
	      "\"io.kubernetes.pod.uid\":\"" UID_D "\","
	      "\"io.kubernetes.container.name\":\"postgres\"}}");
	c = get(f, ID_A, "cri", "");
	assert_string_equal(c->runtime, "cri-o");
	assert_string_equal(c->image, "quay.io/x/y:3");
	assert_string_equal(c->pod_name, "db-0");
	assert_string_equal(c->pod_namespace, "data");
	assert_string_equal(c->pod_uid, UID_D);
	assert_string_equal(c->name, "postgres");
}

static void test_podman_storage(void **state)
{
	struct fixture *f = *state;
	const struct event_container *c;

	puts_(f,
	      "var/lib/containers/storage/overlay-containers/" ID_A
	      "/userdata/config.json",
	      "{\"annotations\":{\"io.container.manager\":\"libpod\"}}");
	puts_(f,
	      "var/lib/containers/storage/overlay-containers/containers.json",
	      "[{\"id\":\"1111\",\"names\":[\"other\"]},"
	      "{\"id\":\"" ID_A "\",\"names\":[\"quizzical_hopper\"],"
	      "\"metadata\":\"{\\\"image-name\\\":\\\"docker.io/library/"
	      "alpine:latest\\\",\\\"name\\\":\\\"quizzical_hopper\\\"}\"}]");
	c = get(f, ID_A, "podman", "");
	assert_string_equal(c->runtime, "podman");
	assert_string_equal(c->name, "quizzical_hopper");
	assert_string_equal(c->image, "docker.io/library/alpine:latest");
}

static void test_runc_state_and_bundle(void **state)
{
	struct fixture *f = *state;
	const struct event_container *c;

	puts_(f, "run/runc/" ID_A "/state.json",
	      "{\"id\":\"" ID_A "\",\"init_process_pid\":42,\"config\":{"
	      "\"labels\":[\"io.kubernetes.pod.namespace=from-label\","
	      "\"bundle=/bundles/b1\"]}}");
	puts_(f, "bundles/b1/config.json",
	      "{\"annotations\":{\"io.kubernetes.pod.name\":\"p1\","
	      "\"io.kubernetes.pod.namespace\":\"ns1\"}}");
	c = get(f, ID_A, "docker", "");
	/* the bundle's config.json wins over runc's label copy */
	assert_string_equal(c->pod_name, "p1");
	assert_string_equal(c->pod_namespace, "ns1");
	assert_string_equal(c->runtime, "docker");
}

/* Privileged, start time and mounts: docker's config and host config,
 * an OCI config (podman/CRI-O), runc's own state. */
static void test_docker_privileged_mounts_start(void **state)
{
	struct fixture *f = *state;
	const struct event_container *c;

	puts_(f, "var/lib/docker/containers/" ID_A "/config.v2.json",
	      "{\"Name\":\"/priv\",\"State\":{\"StartedAt\":"
	      "\"2026-12-01T20:51:55.5Z\"},\"MountPoints\":{\"/var/run/"
	      "docker.sock\":{\"Source\":\"/var/run/docker.sock\","
	      "\"Destination\":\"/var/run/docker.sock\",\"RW\":true,"
	      "\"Mode\":\"\",\"Propagation\":\"rprivate\"}}}");
	puts_(f, "var/lib/docker/containers/" ID_A "/hostconfig.json",
	      "{\"Privileged\":true}");
	c = get(f, ID_A, "docker", "");
	assert_int_equal(c->privileged, 1);
	assert_int_equal(c->start_ts, 1796158315500000000ULL);
	assert_int_equal(c->nmounts, 1);
	assert_string_equal(c->mounts[0].dest, "/var/run/docker.sock");
	assert_string_equal(c->mounts[0].source, "/var/run/docker.sock");
	assert_true(c->mounts[0].rw);
	assert_string_equal(c->mounts[0].propagation, "rprivate");
}

static void test_oci_privileged_and_mounts(void **state)
{
	struct fixture *f = *state;
	const struct event_container *c;

	puts_(f,
	      "run/containers/storage/overlay-containers/" ID_A
	      "/userdata/config.json",
	      "{\"process\":{\"capabilities\":{\"bounding\":[\"CAP_CHOWN\","
	      "\"CAP_SYS_ADMIN\"]}},\"linux\":{\"maskedPaths\":[]},"
	      "\"mounts\":[{\"destination\":\"/host\",\"source\":\"/\","
	      "\"options\":[\"rbind\",\"ro\",\"rslave\"]},{\"destination\":"
	      "\"/proc\",\"source\":\"proc\",\"options\":[]}]}");
	c = get(f, ID_A, "podman", "");
	assert_int_equal(c->privileged, 1);
	assert_int_equal(c->nmounts, 2);
	assert_string_equal(c->mounts[0].dest, "/host");
	assert_string_equal(c->mounts[0].mode, "rbind,ro,rslave");
	assert_false(c->mounts[0].rw);
	assert_string_equal(c->mounts[0].propagation, "rslave");
	assert_int_equal(c->start_ts, 0);
}

static void test_runc_state_unprivileged(void **state)
{
	struct fixture *f = *state;
	const struct event_container *c;

	puts_(f, "run/runc/" ID_A "/state.json",
	      "{\"created\":\"2026-12-01T21:51:55.000000001+01:00\","
	      "\"config\":{\"capabilities\":{\"Bounding\":[\"CAP_CHOWN\"]},"
	      "\"masked_paths\":[\"/proc/kcore\"],\"mounts\":[{\"source\":"
	      "\"/etc/hosts\",\"destination\":\"/etc/hosts\",\"device\":"
	      "\"bind\",\"flags\":1}]}}");
	c = get(f, ID_A, "docker", "");
	assert_int_equal(c->privileged, 0);
	assert_int_equal(c->start_ts, 1796158315000000001ULL);
	assert_int_equal(c->nmounts, 1);
	assert_false(c->mounts[0].rw);
}

static void test_runc_labels_without_bundle(void **state)
{
	struct fixture *f = *state;
	const struct event_container *c;

	puts_(f, "run/docker/runtime-runc/moby/" ID_A "/state.json",
	      "{\"config\":{\"labels\":["
	      "\"io.kubernetes.pod.name=lbl=with=equals\","
	      "\"noequals\",17,\"bundle=/missing\"]}}");
	c = get(f, ID_A, "cri", "");
	assert_string_equal(c->pod_name, "lbl=with=equals");
	assert_string_equal(c->runtime, "docker");
}

static void test_nothing_on_disk(void **state)
{
	struct fixture *f = *state;
	const struct event_container *c;

	c = get(f, ID_A, "cri-o", UID_D);
	assert_string_equal(c->runtime, "cri-o");
	/* the cgroup path's pod uid is used when no state says more */
	assert_string_equal(c->pod_uid, UID_D);
	assert_all_unknown(c);
}

static void test_malformed_json(void **state)
{
	static const char nul[] =
		"{\"annotations\":{\"io.kubernetes.pod.name\":\"a\0b\"}}";
	struct fixture *f = *state;
	const struct event_container *c;

	puts_(f, "var/lib/docker/containers/" ID_A "/config.v2.json",
	      "{\"Name\":\"/web\",\"Config\":{\"Image\":");
	puts_(f, "run/runc/" ID_A "/state.json", "\x01\xff garbage");
	put(f,
	    "run/containers/storage/overlay-containers/" ID_A
	    "/userdata/config.json",
	    nul, sizeof(nul) - 1);
	c = get(f, ID_A, "docker", "");
	assert_all_unknown(c);
}

static void test_wrong_types(void **state)
{
	struct fixture *f = *state;
	const struct event_container *c;

	puts_(f, "var/lib/docker/containers/" ID_A "/config.v2.json",
	      "{\"Name\":17,\"Config\":[\"Image\",\"x\"]}");
	puts_(f,
	      "run/containerd/io.containerd.runtime.v2.task/k8s.io/" ID_A
	      "/config.json",
	      "{\"annotations\":[\"io.kubernetes.pod.name\",\"x\"]}");
	puts_(f, "run/runc/" ID_A "/state.json",
	      "{\"config\":{\"labels\":{\"bundle\":\"/b\"}}}");
	puts_(f,
	      "run/containers/storage/overlay-containers/" ID_A
	      "/userdata/config.json",
	      "[1,2,3]");
	c = get(f, ID_A, "docker", "");
	assert_all_unknown(c);
	c = get(f, ID_A, "docker", "");
	assert_all_unknown(c);
}

static void test_annotation_value_wrong_type(void **state)
{
	struct fixture *f = *state;
	const struct event_container *c;

	puts_(f,
	      "run/containerd/io.containerd.runtime.v2.task/k8s.io/" ID_A
	      "/config.json",
	      "{\"annotations\":{\"io.kubernetes.pod.name\":{\"a\":1},"
	      "\"io.kubernetes.cri.sandbox-name\":\"fallback\","
	      "\"io.kubernetes.pod.namespace\":null}}");
	c = get(f, ID_A, "cri", "");
	assert_string_equal(c->pod_name, "fallback");
	assert_null(c->pod_namespace);
}

static void test_huge_file_is_skipped(void **state)
{
	struct fixture *f = *state;
	const struct event_container *c;
	size_t pad = HARRIER_CONTAINER_STATE_MAX_BYTES + 16, n = 0;
	const char *head = "{\"annotations\":{\"io.kubernetes.pod.name\":"
			   "\"big\"},\"pad\":\"";
	char *buf = malloc(pad + 64);

	assert_non_null(buf);
	memcpy(buf, head, strlen(head));
	n = strlen(head);
	memset(buf + n, 'x', pad);
	n += pad;
	memcpy(buf + n, "\"}", 2);
	n += 2;
	put(f,
	    "run/containerd/io.containerd.runtime.v2.task/k8s.io/" ID_A
	    "/config.json",
	    buf, n);
	free(buf);
	c = get(f, ID_A, "cri", "");
	assert_null(c->pod_name);
}

static void test_overlong_value_ignored(void **state)
{
	struct fixture *f = *state;
	const struct event_container *c;
	char *buf = malloc(HARRIER_CONTAINER_FIELD_MAX + 256);
	size_t n;

	assert_non_null(buf);
	n = (size_t)snprintf(buf, 128,
			     "{\"annotations\":{\"io.kubernetes.pod.name\":\"");
	memset(buf + n, 'n', HARRIER_CONTAINER_FIELD_MAX + 1);
	n += HARRIER_CONTAINER_FIELD_MAX + 1;
	memcpy(buf + n, "\"}}", 3);
	n += 3;
	put(f,
	    "run/containerd/io.containerd.runtime.v2.task/k8s.io/" ID_A
	    "/config.json",
	    buf, n);
	free(buf);
	c = get(f, ID_A, "cri", "");
	assert_null(c->pod_name);
	assert_string_equal(c->runtime, "containerd");
}

static void test_cached_after_first_read(void **state)
{
	struct fixture *f = *state;
	const struct event_container *c1, *c2;
	const char *rel = "var/lib/docker/containers/" ID_A "/config.v2.json";

	puts_(f, rel, "{\"Name\":\"/a\"}");
	c1 = get(f, ID_A, "docker", "");
	assert_string_equal(c1->name, "a");
	rm_(f, rel);
	c2 = get(f, ID_A, "docker", "");
	assert_ptr_equal(c1, c2);
	assert_string_equal(c2->name, "a");
}

static void test_retry_when_state_appears_late(void **state)
{
	struct fixture *f = *state;
	const struct event_container *c1, *c2;
	struct clock_fake clk;

	clock_fake_init(&clk, clock_mono_ns(NULL), clock_real_ns(NULL));
	container_cache_set_clock(f->cc, &clk.clock);
	c1 = get(f, ID_A, "docker", "");
	assert_null(c1->name);
	puts_(f, "var/lib/docker/containers/" ID_A "/config.v2.json",
	      "{\"Name\":\"/late\"}");
	/* not re-read on every lookup: only after the retry interval */
	c2 = get(f, ID_A, "docker", "");
	assert_null(c2->name);
	clock_fake_advance_ms(&clk, HARRIER_CONTAINER_RETRY_MS + 100);
	c2 = get(f, ID_A, "docker", "");
	assert_ptr_equal(c1, c2);
	assert_string_equal(c2->name, "late");
}

static uint64_t real_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* runc saves state.json only after its init joined the container's
 * cgroup: the exec that follows reads it at once, not after RETRY_MS. */
static void test_exec_reads_late_state_at_once(void **state)
{
	struct fixture *f = *state;
	struct cgroup_match m = match(ID_A, "cri", "");
	const struct event_container *c1, *c2;

	c1 = get(f, ID_A, "cri", "");
	assert_null(c1->pod_name);
	puts_(f, "run/runc/" ID_A "/state.json",
	      "{\"config\":{\"labels\":[\"io.kubernetes.pod.name=web\"]}}");
	/* a plain lookup still waits for the retry interval */
	assert_null(get(f, ID_A, "cri", "")->pod_name);
	c2 = container_cache_get_exec(f->cc, &m, real_ns());
	assert_ptr_equal(c1, c2);
	assert_string_equal(c2->pod_name, "web");
}

/* An exec handled in the same batch as the runtime's earlier events, with
 * no time between the lookups: its time, not the handling, decides, and a
 * time up to a tick of the kernel's coarse clock early still counts as
 * after the earlier look. */
static void test_exec_time_not_handling_time_decides(void **state)
{
	struct fixture *f = *state;
	struct cgroup_match m = match(ID_A, "cri", "");
	struct timespec res;
	uint64_t exec_time;

	(void)get(f, ID_A, "cri", "");
	puts_(f, "run/runc/" ID_A "/state.json",
	      "{\"config\":{\"labels\":[\"io.kubernetes.pod.name=web\"]}}");
	/* stamped up to a coarse clock tick early, as the kernel does */
	assert_int_equal(clock_getres(CLOCK_REALTIME_COARSE, &res), 0);
	exec_time = real_ns() - (uint64_t)res.tv_nsec + 500000;
	/* looked up right away, as a batch would */
	assert_string_equal(container_cache_get_exec(f->cc, &m, exec_time)
				    ->pod_name,
			    "web");
}

/* A container with no state on disk: each exec after the last look
 * looks again, and none does once the retry budget is spent. */
static void test_exec_retry_is_bounded(void **state)
{
	struct fixture *f = *state;
	struct cgroup_match m = match(ID_A, "cri", "");
	int i;

	(void)get(f, ID_A, "cri", "");
	for (i = 0; i <= HARRIER_CONTAINER_RETRY_MAX; i++)
		assert_null(
			container_cache_get_exec(f->cc, &m, real_ns())->pod_name);
	/* budget spent: state appearing now is not read any more */
	puts_(f, "run/runc/" ID_A "/state.json",
	      "{\"config\":{\"labels\":[\"io.kubernetes.pod.name=web\"]}}");
	assert_null(container_cache_get_exec(f->cc, &m, real_ns())->pod_name);
}

/* An exec older than the last look (by more than the event clock's tick:
 * the kernel stamps events with the coarse clock) does not read again:
 * that look already saw what the exec could; a newer exec does. */
static void test_exec_before_last_look_does_not_reread(void **state)
{
	struct fixture *f = *state;
	struct cgroup_match m = match(ID_A, "cri", "");
	uint64_t before = real_ns() - 50000000; /* 50 ms: past any tick */

	(void)get(f, ID_A, "cri", "");
	puts_(f, "run/runc/" ID_A "/state.json",
	      "{\"config\":{\"labels\":[\"io.kubernetes.pod.name=web\"]}}");
	assert_null(container_cache_get_exec(f->cc, &m, before)->pod_name);
	assert_string_equal(
		container_cache_get_exec(f->cc, &m, real_ns())->pod_name,
		"web");
}

static void runc_state(const struct fixture *f, const char *id, int pid)
{
	char rel[256], js[512];

	snprintf(rel, sizeof(rel), "run/runc/%s/state.json", id);
	snprintf(js, sizeof(js),
		 "{\"init_process_pid\":%d,\"cgroup_paths\":{\"memory\":"
		 "\"/sys/fs/cgroup/memory/system.slice/docker-%s.scope\"}}",
		 pid, id);
	puts_(f, rel, js);
}

static int find_init(const struct fixture *f, pid_t pid, const char *id)
{
	struct cgroup_match m;
	int r = container_find_init(f->cc, pid, real_ns(), &m);

	if (r == 1)
		assert_string_equal(m.id, id);
	return r;
}

/* A rescan lists a runtime root again only when its directory changed,
 * and still sees every change: a container added in the same clock tick
 * as the listing, one added later, a state.json written into a
 * directory listed before it had one, a state.json rewritten. */
static void test_init_rescan_sees_every_change(void **state)
{
	struct fixture *f = *state;
	const char *id_b = "b123456789abcdef0123456789abcdef"
			   "0123456789abcdef0123456789abcdef";
	struct timespec pause = { 0, 40000000 }; /* past any clock tick */
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/run/runc", f->root);
	mkdirs(dir);
	assert_int_equal(find_init(f, 42, ID_A), 0);
	/* right after the listing: the directory's mtime may not move */
	runc_state(f, ID_A, 42);
	assert_int_equal(find_init(f, 42, ID_A), 1);
	(void)nanosleep(&pause, NULL);
	assert_int_equal(find_init(f, 7, id_b), 0); /* a settled listing */
	snprintf(dir, sizeof(dir), "%s/run/runc/%s", f->root, id_b);
	mkdirs(dir);
	assert_int_equal(find_init(f, 7, id_b), 0);
	(void)nanosleep(&pause, NULL);
	assert_int_equal(find_init(f, 7, id_b), 0);
	/* the root does not change: the directory's state.json is looked
	 * at all the same */
	runc_state(f, id_b, 7);
	assert_int_equal(find_init(f, 7, id_b), 1);
	runc_state(f, ID_A, 43);
	assert_int_equal(find_init(f, 43, ID_A), 1);
	assert_int_equal(find_init(f, 42, ID_A), 0);
	assert_int_equal(find_init(f, 7, id_b), 1);
}

static void test_invalid_match(void **state)
{
	struct fixture *f = *state;
	struct cgroup_match m = match("", "docker", "");

	assert_null(container_cache_get(f->cc, &m));
	memset(m.id, 'a', sizeof(m.id)); /* not terminated */
	assert_null(container_cache_get(f->cc, &m));
	assert_null(container_cache_get(f->cc, NULL));
}

static void test_bounded_lru_eviction(void **state)
{
	struct fixture *f = *state;
	const char *rel_a = "var/lib/docker/containers/" ID_A "/config.v2.json";
	const char *id_b = "b123456789abcdef0123456789abcdef"
			   "0123456789abcdef0123456789abcdef";
	char rel_b[256];
	const struct event_container *c;
	int i;

	snprintf(rel_b, sizeof(rel_b),
		 "var/lib/docker/containers/%s/config.v2.json", id_b);
	puts_(f, rel_a, "{\"Name\":\"/a\"}");
	puts_(f, rel_b, "{\"Name\":\"/b\"}");
	assert_string_equal(get(f, ID_A, "docker", "")->name, "a");
	assert_string_equal(get(f, id_b, "docker", "")->name, "b");
	rm_(f, rel_a);
	rm_(f, rel_b);
	for (i = 0; i < HARRIER_CONTAINER_CACHE_MAX - 1; i++) {
		char id[65];

		snprintf(id, sizeof(id), "%064x", i);
		(void)get(f, id, "docker", "");
		/* keep A recently used: only B may age out */
		if (i % 512 == 0)
			assert_string_equal(get(f, ID_A, "docker", "")->name,
					    "a");
	}
	/* A was used lately: still cached although its file is gone. */
	c = get(f, ID_A, "docker", "");
	assert_string_equal(c->name, "a");
	/* B was the oldest: evicted, re-read finds nothing now. */
	c = get(f, id_b, "docker", "");
	assert_null(c->name);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_docker_config_v2),
		T(test_dockershim_labels_give_pod),
		T(test_containerd_k8s_annotations),
		T(test_containerd_moby_namespace_is_docker),
		T(test_crio_annotations),
		T(test_podman_storage),
		T(test_runc_state_and_bundle),
		T(test_docker_privileged_mounts_start),
		T(test_oci_privileged_and_mounts),
		T(test_runc_state_unprivileged),
		T(test_runc_labels_without_bundle),
		T(test_nothing_on_disk),
		T(test_malformed_json),
		T(test_wrong_types),
		T(test_annotation_value_wrong_type),
		T(test_huge_file_is_skipped),
		T(test_overlong_value_ignored),
		T(test_cached_after_first_read),
		T(test_retry_when_state_appears_late),
		T(test_exec_reads_late_state_at_once),
		T(test_exec_time_not_handling_time_decides),
		T(test_exec_retry_is_bounded),
		T(test_exec_before_last_look_does_not_reread),
		T(test_init_rescan_sees_every_change),
		T(test_invalid_match),
		T(test_bounded_lru_eviction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
