/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup_parse over every /proc/PID/cgroup shape Harrier must recognise
 * (docker, containerd, CRI-O, podman, Kubernetes cgroupfs and systemd
 * drivers, nested runc paths, hybrid v1+v2) and malformed text, which must
 * give 0 or -EINVAL and never a made-up id.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "enrich/container.h"

#define ID_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define UID_D "5bd0c2a4-1e7e-4f07-9c55-2f1d0b3a8e11"
#define UID_U "5bd0c2a4_1e7e_4f07_9c55_2f1d0b3a8e11"

/* A v1 hybrid file (as on this machine) with every controller at path. */
#define V1(path)                                                             \
	"12:hugetlb:" path "\n11:net_cls,net_prio:" path "\n"                \
	"10:perf_event:" path "\n9:name=systemd:" path "\n8:pids:" path "\n" \
	"7:blkio:" path "\n6:freezer:" path "\n5:devices:" path "\n"         \
	"4:memory:" path "\n3:cpuset:" path "\n2:cpu,cpuacct:" path "\n"     \
	"0::" path "\n"

static int parse(const char *text, struct cgroup_match *m)
{
	memset(m, 0x5a, sizeof(*m));
	return cgroup_parse(text, strlen(text), m);
}

static void expect(const char *text, const char *id, const char *runtime,
		   const char *pod_uid)
{
	struct cgroup_match m;

	assert_int_equal(parse(text, &m), 1);
	assert_string_equal(m.id, id);
	assert_string_equal(m.runtime, runtime);
	assert_string_equal(m.pod_uid, pod_uid);
}

static void expect_none(const char *text)
{
	struct cgroup_match m, before;

	memset(&before, 0x5a, sizeof(before));
	assert_int_equal(parse(text, &m), 0);
	/* ret is written on success only */
	assert_memory_equal(&m, &before, sizeof(m));
}

static void expect_einval(const char *text)
{
	struct cgroup_match m, before;

	memset(&before, 0x5a, sizeof(before));
	assert_int_equal(parse(text, &m), -EINVAL);
	assert_memory_equal(&m, &before, sizeof(m));
}

static void test_docker_cgroupfs(void **state)
{
	(void)state;
	expect(V1("/docker/" ID_A), ID_A, "docker", "");
}

static void test_docker_systemd(void **state)
{
	(void)state;
	expect(V1("/system.slice/docker-" ID_A ".scope"), ID_A, "docker", "");
}

static void test_docker_cgroup_v2_only(void **state)
{
	(void)state;
	expect("0::/system.slice/docker-" ID_A ".scope\n", ID_A, "docker", "");
}

static void test_docker_no_trailing_newline(void **state)
{
	(void)state;
	expect("0::/docker/" ID_A, ID_A, "docker", "");
}

static void test_containerd_k8s_systemd(void **state)
{
	(void)state;
	expect(V1("/kubepods.slice/kubepods-burstable.slice/"
		  "kubepods-burstable-pod" UID_U ".slice/"
		  "cri-containerd-" ID_A ".scope"),
	       ID_A, "containerd", UID_D);
}

static void test_containerd_k8s_systemd_guaranteed(void **state)
{
	(void)state;
	expect("0::/kubepods.slice/kubepods-pod" UID_U ".slice/"
	       "cri-containerd-" ID_B ".scope\n",
	       ID_B, "containerd", UID_D);
}

static void test_k8s_cgroupfs_besteffort(void **state)
{
	(void)state;
	expect(V1("/kubepods/besteffort/pod" UID_D "/" ID_A), ID_A, "cri",
	       UID_D);
}

static void test_k8s_cgroupfs_guaranteed(void **state)
{
	(void)state;
	expect(V1("/kubepods/pod" UID_D "/" ID_A), ID_A, "cri", UID_D);
}

static void test_crio_systemd(void **state)
{
	(void)state;
	expect(V1("/kubepods.slice/kubepods-besteffort.slice/"
		  "kubepods-besteffort-pod" UID_U ".slice/crio-" ID_A ".scope"),
	       ID_A, "cri-o", UID_D);
}

static void test_crio_cgroupfs(void **state)
{
	(void)state;
	expect(V1("/kubepods/burstable/pod" UID_D "/crio-" ID_B), ID_B, "cri-o",
	       UID_D);
}

static void test_crio_conmon_is_host(void **state)
{
	(void)state;
	expect_none(V1("/kubepods.slice/kubepods-besteffort.slice/"
		       "kubepods-besteffort-pod" UID_U ".slice/"
		       "crio-conmon-" ID_A ".scope"));
}

static void test_podman_systemd(void **state)
{
	(void)state;
	expect(V1("/machine.slice/libpod-" ID_A ".scope"), ID_A, "podman", "");
}

static void test_podman_cgroupfs(void **state)
{
	(void)state;
	expect(V1("/libpod_parent/libpod-" ID_A), ID_A, "podman", "");
}

static void test_podman_conmon_is_host(void **state)
{
	(void)state;
	expect_none(V1("/machine.slice/libpod-conmon-" ID_A ".scope"));
}

static void test_dockershim_in_pod(void **state)
{
	(void)state;
	expect(V1("/kubepods.slice/kubepods-burstable.slice/"
		  "kubepods-burstable-pod" UID_U ".slice/docker-" ID_A
		  ".scope"),
	       ID_A, "docker", UID_D);
}

static void test_nested_runc_relative_path(void **state)
{
	(void)state;
	/* runc nests a relative cgroupsPath under the caller's cgroup */
	expect("9:name=systemd:/user.slice/user-0.slice/session-3.scope/"
	       "system.slice/docker-" ID_A ".scope\n"
	       "4:memory:/process_api/d6e5cae91dea90b4784b3b05b429193c/"
	       "system.slice/docker-" ID_A ".scope\n"
	       "1:cpu:/system.slice/docker-" ID_A ".scope\n"
	       "0::/user.slice/user-0.slice/session-3.scope\n",
	       ID_A, "docker", "");
}

static void test_nested_kubepods_under_session(void **state)
{
	(void)state;
	expect("4:memory:/user.slice/kubepods/besteffort/pod" UID_D "/" ID_B
	       "\n",
	       ID_B, "cri", UID_D);
}

static void test_host_process_hybrid(void **state)
{
	(void)state;
	/* this machine: everything at / except memory in a 32-hex group */
	expect_none("9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n"
		    "5:devices:/\n4:memory:/process_api/"
		    "d6e5cae91dea90b4784b3b05b429193c\n3:cpuset:/\n"
		    "2:cpuacct:/\n1:cpu:/\n0::/\n");
}

static void test_host_process_v2(void **state)
{
	(void)state;
	expect_none("0::/system.slice/ssh.service\n");
	expect_none("0::/user.slice/user-1000.slice/session-2.scope\n");
	expect_none("0::/init.scope\n");
}

static void test_preferred_controller_wins(void **state)
{
	(void)state;
	/* cpuset still in another group; memory follows the container */
	expect("3:cpuset:/docker/" ID_B "\n4:memory:/docker/" ID_A "\n", ID_A,
	       "docker", "");
}

static void test_any_controller_when_no_preferred(void **state)
{
	(void)state;
	expect("9:name=systemd:/\n7:blkio:/docker/" ID_A "\n1:cpu:/\n0::/\n",
	       ID_A, "docker", "");
}

static void test_bare_id_unknown_parent_is_not_container(void **state)
{
	(void)state;
	expect_none("0::/foo/" ID_A "\n");
	expect_none("0::/" ID_A "\n");
}

static void test_truncated_id(void **state)
{
	(void)state;
	expect_none(V1("/system.slice/docker-"
		       "0123456789abcdef0123456789abcdef0123456789abcdef"
		       "0123456789abcde.scope"));
}

static void test_id_too_long(void **state)
{
	(void)state;
	expect_none("0::/docker/" ID_A "0\n");
	expect_none("0::/system.slice/docker-" ID_A "aa.scope\n");
}

static void test_id_not_hex(void **state)
{
	(void)state;
	expect_none("0::/docker/0123456789abcdef0123456789abcdef"
		    "0123456789abcdef0123456789abcdeg\n");
	expect_none("0::/docker/0123456789ABCDEF0123456789abcdef"
		    "0123456789abcdef0123456789abcdef\n");
}

static void test_pod_uid_ignored_outside_kubepods(void **state)
{
	(void)state;
	expect("0::/pod" UID_D "/docker-" ID_A ".scope\n", ID_A, "docker", "");
}

static void test_empty_text(void **state)
{
	struct cgroup_match m;

	(void)state;
	assert_int_equal(cgroup_parse("", 0, &m), 0);
	assert_int_equal(cgroup_parse("\n\n", 2, &m), 0);
	assert_int_equal(cgroup_parse(NULL, 0, &m), -EINVAL);
}

static void test_malformed_no_colons(void **state)
{
	(void)state;
	expect_einval("garbage\n");
	expect_einval("/docker/" ID_A "\n");
}

static void test_malformed_hierarchy_not_number(void **state)
{
	(void)state;
	expect_einval("x:cpu:/docker/" ID_A "\n");
	expect_einval(":cpu:/docker/" ID_A "\n");
}

static void test_malformed_one_colon_or_no_path(void **state)
{
	(void)state;
	expect_einval("4:memory\n");
	expect_einval("4:memory:\n");
	expect_einval("4:memory:docker/" ID_A "\n");
}

static void test_malformed_line_after_good_one(void **state)
{
	(void)state;
	/* a file that is half garbage is not trusted for its good half */
	expect_einval("4:memory:/docker/" ID_A "\n\x01\x02garbage\n");
}

static void test_truncated_mid_line(void **state)
{
	(void)state;
	expect_einval("0::/docker/" ID_A "\n4:mem");
}

static void test_embedded_nul(void **state)
{
	const char text[] = "0::/docker/" ID_A "\n\0 1:cpu:/\n";
	struct cgroup_match m;

	(void)state;
	assert_int_equal(cgroup_parse(text, sizeof(text) - 1, &m), -EINVAL);
}

static void test_length_is_respected(void **state)
{
	const char *text = "1:cpu:/\n0::/docker/" ID_A "\n";
	struct cgroup_match m;

	(void)state;
	assert_int_equal(cgroup_parse(text, 8, &m), 0);
	assert_int_equal(cgroup_parse(text, strlen(text), &m), 1);
}

static void test_very_deep_path(void **state)
{
	char text[8192];
	size_t n = 0;
	int i, k;

	(void)state;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "0::");
	for (i = 0; i < 200; i++) {
		k = snprintf(text + n, sizeof(text) - n, "/d%d", i);
		n += (size_t)k;
	}
	k = snprintf(text + n, sizeof(text) - n, "/docker-%s.scope\n", ID_A);
	n += (size_t)k;
	assert_true(n < sizeof(text));
	/* too deep to be a runtime's path: no match, no overflow */
	expect_none(text);
}

static void test_random_bytes_never_crash(void **state)
{
	static const char alphabet[] = "0123456789abcdef:/-_.\n sdockerpod";
	char buf[512];
	unsigned int seed = 12345;
	int i, r;

	(void)state;
	for (i = 0; i < 20000; i++) {
		size_t len = (size_t)(rand_r(&seed) % (int)sizeof(buf));
		size_t k;
		struct cgroup_match m;

		for (k = 0; k < len; k++)
			buf[k] =
				(i & 1) ? (char)rand_r(&seed)
					: alphabet[rand_r(&seed) %
						   (int)(sizeof(alphabet) - 1)];
		r = cgroup_parse(buf, len, &m);
		assert_true(r == 0 || r == 1 || r == -EINVAL);
		if (r == 1)
			assert_int_equal(strlen(m.id), 64);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_cgroupfs),
		cmocka_unit_test(test_docker_systemd),
		cmocka_unit_test(test_docker_cgroup_v2_only),
		cmocka_unit_test(test_docker_no_trailing_newline),
		cmocka_unit_test(test_containerd_k8s_systemd),
		cmocka_unit_test(test_containerd_k8s_systemd_guaranteed),
		cmocka_unit_test(test_k8s_cgroupfs_besteffort),
		cmocka_unit_test(test_k8s_cgroupfs_guaranteed),
		cmocka_unit_test(test_crio_systemd),
		cmocka_unit_test(test_crio_cgroupfs),
		cmocka_unit_test(test_crio_conmon_is_host),
		cmocka_unit_test(test_podman_systemd),
		cmocka_unit_test(test_podman_cgroupfs),
		cmocka_unit_test(test_podman_conmon_is_host),
		cmocka_unit_test(test_dockershim_in_pod),
		cmocka_unit_test(test_nested_runc_relative_path),
		cmocka_unit_test(test_nested_kubepods_under_session),
		cmocka_unit_test(test_host_process_hybrid),
		cmocka_unit_test(test_host_process_v2),
		cmocka_unit_test(test_preferred_controller_wins),
		cmocka_unit_test(test_any_controller_when_no_preferred),
		cmocka_unit_test(test_bare_id_unknown_parent_is_not_container),
		cmocka_unit_test(test_truncated_id),
		cmocka_unit_test(test_id_too_long),
		cmocka_unit_test(test_id_not_hex),
		cmocka_unit_test(test_pod_uid_ignored_outside_kubepods),
		cmocka_unit_test(test_empty_text),
		cmocka_unit_test(test_malformed_no_colons),
		cmocka_unit_test(test_malformed_hierarchy_not_number),
		cmocka_unit_test(test_malformed_one_colon_or_no_path),
		cmocka_unit_test(test_malformed_line_after_good_one),
		cmocka_unit_test(test_truncated_mid_line),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_length_is_respected),
		cmocka_unit_test(test_very_deep_path),
		cmocka_unit_test(test_random_bytes_never_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
