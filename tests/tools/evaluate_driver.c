/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evaluate_driver.c: `evaluate CASE.json [--policy-dir DIR]`, the offline
 * harness (evaluate_cli.h) as a standalone test program, so the CLI can be
 * tested whether or not build/momd is linked.  The default policy
 * directory is ./policies.  Its own argv[0] stands for "--evaluate".
 */
#include "evaluate_cli.h"

int main(int argc, char **argv)
{
	return evaluate_cli_main(argc, argv, "policies");
}
