/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small helpers the unit tests share: a checked strdup, mkdir -p and
 * rm -rf for the temporary trees they build. Included after <cmocka.h>;
 * static inline, so a test that uses one of them only is not warned.
 */
#ifndef HARRIER_TESTS_UNIT_UTIL_H
#define HARRIER_TESTS_UNIT_UTIL_H

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* strdup that fails the test on ENOMEM; NULL stays NULL. */
static inline char *xstrdup(const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	assert_non_null(d);
	return d;
}

/* mkdir -p path (0755). */
static inline void mkdirs(const char *path)
{
	char tmp[PATH_MAX];
	size_t i, n = strlen(path);

	assert_true(n < sizeof(tmp));
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] == '/' || tmp[i] == '\0') {
			char c = tmp[i];

			tmp[i] = '\0';
			if (mkdir(tmp, 0755) < 0)
				assert_int_equal(errno, EEXIST);
			tmp[i] = c;
		}
	}
}

static inline int unit_rm_entry(const char *p, const struct stat *sb,
				int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* rm -rf path, never following symlinks. 0 or nftw's -1. */
static inline int rm_tree(const char *path)
{
	return nftw(path, unit_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
