/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evaluate_cli.h: the offline policy harness, `momd --evaluate`.
 *
 *   momd --evaluate CASE.json [--policy-dir DIR]
 *
 * Reads a case (evalcase.h; "-" is standard input), loads the policies of
 * DIR (default: the shipped policies directory), evaluates once and prints
 * the plan as JSON on standard output.  No daemon, libvirt or sysfs is
 * involved.  Exit status: 0 on success, 65 (EX_DATAERR) when the case or a
 * policy does not validate (the error, with its path, on stderr), 64
 * (EX_USAGE) on bad arguments, 66 (EX_NOINPUT) when a file cannot be read.
 */
#ifndef MOM_EVALUATE_CLI_H
#define MOM_EVALUATE_CLI_H

/*
 * argv[0] is "--evaluate"; default_policy_dir is used without
 * --policy-dir.  Returns the process exit status.
 */
int evaluate_cli_main(int argc, char **argv, const char *default_policy_dir);

#endif /* MOM_EVALUATE_CLI_H */
