/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_test.c: the controller registry and set (ctl.c): every registered
 * controller is complete and named once, balloons run before KSM, a set is
 * created from the configuration alone (each controller opens its own
 * backend), finds its members by name and applies an empty plan without
 * recording anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlog.h"
#include "conf.h"
#include "ctl.h"
#include "log.h"
#include "plan.h"
#include "snapshot.h"
#include "testing.h"

static int registry_index(const char *name)
{
	for (int i = 0; ctl_registry[i]; i++)
		if (strcmp(ctl_registry[i]->name, name) == 0)
			return i;
	return -1;
}

static void test_registry(void)
{
	int n = 0;

	for (; ctl_registry[n]; n++) {
		const struct ctl_ops *o = ctl_registry[n];

		T_OK(o->name && o->create && o->apply && o->destroy,
		     "registry: %s has name, create, apply and destroy",
		     o->name ? o->name : "?");
		T_EQ_INT(registry_index(o->name), n,
			 "registry: a name is registered once");
	}
	T_OK(n >= 2, "registry: %d controllers", n);
	T_OK(registry_index("balloon") >= 0 &&
		 registry_index("balloon") < registry_index("ksm"),
	     "registry: balloons run before KSM, as in MOM");
}

static void test_set(void)
{
	struct conf c;
	struct control_rails rails = {10, 10, 10, 0, 3, 0};
	struct actlog *log = actlog_new(16);
	struct ctl_set *s;
	struct plan plan = {0};
	struct snapshot snap = {0};
	uint64_t totals[4] = {1, 1, 1, 1};
	char err[300] = "";

	T_EQ_INT(conf_init_defaults(&c), 0, "set: default configuration");
	free(c.ksm_dir);
	c.ksm_dir = strdup("/nonexistent/ksm");
	s = ctl_set_new(
	    &(struct ctl_env){.conf = &c, .rails = &rails, .log = log}, err,
	    sizeof(err));
	T_OK(s != NULL, "set: created from the configuration (%s)", err);
	T_OK(ctl_set_find(s, "balloon") && ctl_set_find(s, "ksm"),
	     "set: balloon and ksm are found by name");
	T_OK(ctl_set_find(s, "nonesuch") == NULL,
	     "set: an unknown name is not found");
	T_EQ_STR(ctl_set_backend(s, "balloon"), "libvirt",
		 "set: the balloon backend is libvirt");
	T_EQ_STR(ctl_set_backend(s, "ksm"), "sysfs",
		 "set: the KSM backend is the configured one");
	ctl_set_rails(s, &rails);
	ctl_set_apply(s, &plan, &snap, false, 1, 1);
	actlog_totals(log, totals);
	T_OK(totals[0] + totals[1] + totals[2] + totals[3] == 0,
	     "set: an empty plan records no action");
	ctl_set_free(s);
	actlog_free(log);
	conf_release(&c);
}

int main(void)
{
	log_set_level(LOG_LVL_INFO);
	test_registry();
	test_set();
	return t_done();
}
