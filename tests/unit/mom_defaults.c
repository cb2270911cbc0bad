/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mom_defaults.c: the MOM-syntax defaults converted and loaded, shared by
 * momlang_test.c and eval_diff_test.c (see mom_defaults.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mom_defaults.h"
#include "momlang.h"

char *mom_test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = f ? calloc(1, 1 << 16) : NULL;

	*len = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

struct policy_set *mom_test_defaults(const char *src, struct policy_error *err)
{
	return mom_test_defaults_n(src, 4, err);
}

struct policy_set *mom_test_defaults_n(const char *src, size_t n,
				       struct policy_error *err)
{
	static const char *const names[] = {"00-defines", "01-parameters",
					    "02-balloon", "03-ksm",
					    "04-cputune"};
	struct policy_source s[5];
	struct policy_set *ps = NULL;
	char *texts[5] = {0}, path[600];
	size_t i;

	if (n > 5)
		n = 5;
	for (i = 0; i < n; i++) {
		size_t len;
		char *mom;

		snprintf(path, sizeof(path), "%s/tests/data/mom/%s.policy", src,
			 names[i]);
		mom = mom_test_slurp(path, &len);
		if (!mom) {
			memset(err, 0, sizeof(*err));
			snprintf(err->policy, sizeof(err->policy), "%s",
				 names[i]);
			snprintf(err->message, sizeof(err->message),
				 "cannot read %.200s", path);
			goto out;
		}
		texts[i] = momlang_convert_text(
		    mom, len, names[i], MOMLANG_MAX_OUTPUT_DEFAULT, err);
		free(mom);
		if (!texts[i])
			goto out;
		s[i] = (struct policy_source){names[i], texts[i]};
	}
	ps = policy_set_load(s, n, err);
out:
	for (i = 0; i < 5; i++)
		free(texts[i]);
	return ps;
}
