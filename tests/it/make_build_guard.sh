# SPDX-License-Identifier: Apache-2.0
#
# make_build_guard.sh: the Makefile refuses a BUILD that `make clean` would
# remove the sources with (the source tree, a directory holding it, /),
# also through a symbolic link, and takes any other.  Only `make -n` runs
# (prints, does nothing); the links are made in this test's scratch dir.
. "$(dirname "$0")/../lib/common.sh"

# mk ARGS: make -n in the source tree, as a top-level make (make test runs
# this test from a make whose MAKEFLAGS would otherwise reach it).
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -n -C "$ROOT" "$@" >"$T_TMP/out" 2>&1; }
# refused BUILD: make -n clean stops with the guard's error, removes nothing
refused() { ! mk BUILD="$1" clean && grep -q "make clean would remove it" "$T_TMP/out"; }
# taken BUILD RESOLVED: make -n clean would remove RESOLVED, nothing else
taken() { mk BUILD="$1" clean && [ "$(cat "$T_TMP/out")" = "rm -rf $2" ]; }

ln -s "$ROOT" "$T_TMP/src"
ln -s / "$T_TMP/root"
ln -s "$(dirname "$ROOT")" "$T_TMP/parent"
check "BUILD=. (the source tree) is refused" refused .
check "BUILD=.. (holds the source tree) is refused" refused ..
check "BUILD=/ is refused" refused /
check "BUILD= a link to the source tree is refused" refused "$T_TMP/src"
check "BUILD= a link to / is refused" refused "$T_TMP/root"
check "BUILD= a link to the directory holding the source tree is refused" refused "$T_TMP/parent"
check "BUILD= the source tree reached through a link to its parent is refused" \
	refused "$T_TMP/parent/$(basename "$ROOT")"
# make's CURDIR is the physical path of the tree.
SRC=$(cd "$ROOT" && pwd -P)
check "BUILD=build is taken, made absolute" taken build "$SRC/build"
check "BUILD= a scratch directory is taken" taken "$T_TMP/b" "$T_TMP/b"
check "BUILD= a new directory inside a link to the source tree is taken (it holds no sources)" \
	taken "$T_TMP/src/build-x" "$T_TMP/src/build-x"
check "BUILD= a new directory named as the tree's parent, in a directory not made yet, is taken" \
	taken "$T_TMP/no/$(basename "$(dirname "$SRC")")" "$T_TMP/no/$(basename "$(dirname "$SRC")")"
done_testing
