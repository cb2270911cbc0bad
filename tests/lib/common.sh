# SPDX-License-Identifier: Apache-2.0
#
# common.sh: sourced by every integration test (bash).  TAP output, waiting
# on conditions with deadlines, a cleanup stack that runs on any exit, and a
# per-test scratch directory.
#
#   ok DESC / not_ok DESC / skip WHY      report one check
#   check DESC CMD...                     ok if CMD succeeds; returns its status
#   check_sh DESC 'EXPR'                  ok if the shell expression EXPR
#                                         (e.g. '[ "$a" = 1 ] && [ "$b" = 2 ]')
#                                         succeeds: `check D c1 && c2` would
#                                         check c1 only
#   wait_for SECS WHAT CMD...             poll CMD every WAIT_POLL s (0.1)
#                                         until it succeeds; 1 and a message
#                                         at the deadline, or at once when
#                                         a process of WAIT_PIDS (the ones
#                                         the test watches) has exited
#   at_exit CMD...                        run CMD at exit (last added first)
#   nap SECS                              pause a background loop without a
#                                         child process (an external sleep
#                                         would outlive a killed loop)
#   done_testing                          print the plan, exit 1 on failure
#   momapi ARGS...                        the one test client for momd and
#                                         JSON (tests/lib/momapi.py, see its
#                                         --help): `momapi GET /v1/status
#                                         .cycles`, `momapi json EXPR <F`,
#                                         `momapi same A B`; one Python
#                                         process, so where a test only
#                                         needs status and body, curl (api
#                                         in momd.sh) stays the cheaper
#                                         client
#
# $T_TMP is a fresh directory removed at exit; $ROOT is the repository;
# $BUILD the build tree, always an absolute path (BUILD=build works: the
# daemons the tests start change directory, virtlogd before writing its
# pid file).
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$(realpath -m "${BUILD:-$ROOT/build}")
T_N=0
T_FAILED=0
T_CLEANUPS=()

ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
not_ok() { T_N=$((T_N + 1)); echo "not ok $T_N - $*"; T_FAILED=1; }
skip() { T_N=$((T_N + 1)); echo "ok $T_N # SKIP $*"; }
diag() { echo "# $*"; }

check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; return 1; fi
}

check_sh() {
	if eval "$2"; then ok "$1"; else not_ok "$1"; return 1; fi
}

wait_for() {
	local secs=$1 what=$2
	shift 2
	local end=$(($(date +%s%N) / 1000000 + secs * 1000))
	local pid
	until "$@" >/dev/null 2>&1; do
		if [ $(($(date +%s%N) / 1000000)) -ge $end ]; then
			diag "timeout (${secs}s): $what"
			return 1
		fi
		for pid in ${WAIT_PIDS:-}; do
			kill -0 "$pid" 2>/dev/null && continue
			# One last look: it may have done it on its way out.
			"$@" >/dev/null 2>&1 && return 0
			diag "given up: $what: process $pid has exited"
			return 1
		done
		sleep "${WAIT_POLL:-0.1}"
	done
}

at_exit() { T_CLEANUPS+=("$*"); }

# momapi runs the interpreter behind python3 directly, without site
# packages (it needs the standard library only): where python3 is a version
# manager's shim, each call through it costs a second interpreter start, a
# third of a second on a busy machine.  Resolved once (tests/run-tests.sh
# exports it for every test) and passed on to child shells.
if [ -z "${MOMAPI_PYTHON:-}" ]; then
	MOMAPI_PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || MOMAPI_PYTHON=python3
	export MOMAPI_PYTHON
fi
momapi() { "$MOMAPI_PYTHON" -S "$ROOT/tests/lib/momapi.py" "$@"; }

nap() {
	local fd
	exec {fd}<> <(:)
	read -r -t "$1" -u "$fd" _
	exec {fd}>&-
	return 0
}

_run_cleanups() {
	local i
	set +e
	for ((i = ${#T_CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${T_CLEANUPS[$i]}" >/dev/null 2>&1
	done
	T_CLEANUPS=()
}
trap _run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

done_testing() {
	echo "1..$T_N"
	exit $T_FAILED
}

# stop_pid PID: SIGTERM, wait up to 10 s, then SIGKILL.
stop_pid() {
	local pid=$1 i
	kill "$pid" 2>/dev/null || return 0
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
}

T_TMP=$(mktemp -d /tmp/momt.XXXXXX)
chmod 755 "$T_TMP"
at_exit rm -rf "$T_TMP"
