/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_edge_test.c: the policy language at its edges, through the real
 * loader and evaluator: the JSON paths of load errors in keep statements.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "testing.h"

/* One policy text, loaded; NULL with *err filled when refused. */
static struct policy_set *load(const char *text, struct policy_error *err)
{
	struct policy_source src = {"10-t", text};

	return policy_set_load(&src, 1, err);
}

/* A keep's errors are at its statement, its key or its "to". */
static void keep_paths(void)
{
	static const char *const cases[][3] = {
	    {"{\"host\": [{\"rule\": \"r\", \"do\": [{\"keep\": \"nokey\", "
	     "\"to\": 1}]}]}",
	     "$.host[0].do[0].keep", "unknown state 'nokey'"},
	    {"{\"state\": {\"k\": {\"scope\": \"host\"}}, \"host\": "
	     "[{\"rule\": "
	     "\"r\", \"do\": [{\"keep\": \"k\", \"to\": 1, \"bogus\": 2}]}]}",
	     "$.host[0].do[0].bogus", "unknown key 'bogus'"},
	    {"{\"state\": {\"k\": {\"scope\": \"host\"}}, \"host\": "
	     "[{\"rule\": "
	     "\"r\", \"do\": [{\"keep\": \"k\"}]}]}",
	     "$.host[0].do[0]", "needs \"to\""},
	    {"{\"state\": {\"k\": {\"scope\": \"host\"}}, \"host\": "
	     "[{\"rule\": "
	     "\"r\", \"do\": [{\"keep\": 5, \"to\": 1}]}]}",
	     "$.host[0].do[0].keep", "names a state key"},
	    {"{\"state\": {\"k\": {\"scope\": \"host\"}}, \"host\": "
	     "[{\"rule\": "
	     "\"r\", \"do\": [{\"keep\": \"k\", \"to\": [\"+\", 1]}]}]}",
	     "$.host[0].do[0].to", "at least 2 arguments"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy_error err;
		struct policy_set *ps = load(cases[i][0], &err);

		if (!T_OK(!ps && strcmp(err.path, cases[i][1]) == 0 &&
			      strstr(err.message, cases[i][2]),
			  "keep error at %s", cases[i][1]))
			printf("#   got %s: %s\n", ps ? "(loaded)" : err.path,
			       ps ? "" : err.message);
		policy_set_free(ps);
	}
}

int main(void)
{
	keep_paths();
	return t_done();
}
