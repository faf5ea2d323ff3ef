#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/consumers/run.sh — build a small program against hixie76 in every way a user can consume
# it, with gcc and clang, C++17 and C++20:
#
#   install          cmake --install to a temporary prefix, then its layout is checked
#   find-package     find_package(hixie76 1.0 CONFIG REQUIRED) from that prefix (all four
#                    compiler/standard pairs), the build tree as a package, and a request for
#                    2.0 that must be refused
#   subdirectory     add_subdirectory(<source tree>)                    (all four)
#   fetchcontent     FetchContent from a file:// archive of the tree    (all four)
#   pkg-config       pkg-config --cflags hixie76 with a plain compiler  (all four)
#   meson-installed  dependency('hixie76') from the prefix, via pkg-config (gcc/20) and via
#                    CMake (clang/17); and a `meson install`ed tree read by pkg-config (gcc/17)
#   meson-wrap       subprojects/hixie76.wrap pointing at the archive   (all four)
#   copy-in          include/hixie76 copied into a tree, compiled with -I only (all four)
#
# The program (app.cpp) computes the draft-76 worked example's challenge answer and exits 0
# only when it is right. Prints `PASS name` or `FAIL name` per case (a failing case's log
# follows it), then `N passed, M failed`; exits non-zero on any failure.
#
# usage: tests/consumers/run.sh [--keep]     (--keep leaves the work directory in place)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
keep=0
[[ "${1:-}" == "--keep" ]] && keep=1

work=$(mktemp -d "${TMPDIR:-/tmp}/hixie76-consumers.XXXXXX")
cleanup() {
    if ((keep)); then echo "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
mkdir -p "$work/logs"

version=$(sed -n 's/^#define HIXIE76_VERSION_\(MAJOR\|MINOR\|PATCH\) \+\([0-9]\+\).*/\2/p' \
    "$src/include/hixie76/version.hpp" | paste -sd.)
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
warnings=(-Wall -Wextra -Wpedantic -Werror)

passed=0
failed=0
# check NAME COMMAND...: runs COMMAND with its output in logs/NAME.log and reports the outcome.
check() {
    local name=$1 log
    shift
    log="$work/logs/${name//\//_}.log"
    if "$@" >"$log" 2>&1; then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name"
        tail -n 40 "$log" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
}

cxx_of() { case $1 in gcc) echo g++ ;; clang) echo clang++ ;; esac; }
all_pairs=(gcc:17 gcc:20 clang:17 clang:20)


# --- the package under test -------------------------------------------------------------------
prefix="$work/prefix"
install_lib() {
    cmake -S "$src" -B "$work/lib-build" "${generator[@]}" -DCMAKE_INSTALL_PREFIX="$prefix" \
        -DHIXIE76_BUILD_TESTS=OFF -DHIXIE76_BUILD_EXAMPLES=OFF -DHIXIE76_BUILD_BENCH=OFF \
        -DHIXIE76_BUILD_FUZZ=OFF &&
        cmake --build "$work/lib-build" &&
        cmake --install "$work/lib-build"
}
install_layout() {
    local f missing=0
    for f in share/cmake/hixie76/hixie76Config.cmake share/cmake/hixie76/hixie76ConfigVersion.cmake \
        share/cmake/hixie76/hixie76Targets.cmake share/pkgconfig/hixie76.pc \
        share/doc/hixie76/LICENSE include/hixie76/version.hpp; do
        [[ -f "$prefix/$f" ]] || { echo "missing: $f"; missing=1; }
    done
    # every header of the tree, and nothing architecture-dependent
    (cd "$src/include" && find hixie76 -name '*.hpp' | sort) >"$work/headers.src"
    (cd "$prefix/include" && find hixie76 -name '*.hpp' | sort) >"$work/headers.installed"
    diff "$work/headers.src" "$work/headers.installed" || missing=1
    for f in lib lib64 bin; do
        [[ -e "$prefix/$f" ]] && { echo "unexpected: $f/"; missing=1; }
    done
    [[ "$(PKG_CONFIG_PATH="$prefix/share/pkgconfig" pkg-config --modversion hixie76)" == "$version" ]] ||
        { echo "hixie76.pc does not say version $version"; missing=1; }
    return "$missing"
}
check install install_lib
check install-layout install_layout

# An archive of the tree as a release would hold it, for FetchContent and the Meson wrap.
archive="$work/hixie76-$version.tar.gz"
make_archive() {
    local list="$work/archive.list"
    if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        (cd "$src" && git ls-files -z --cached --others --exclude-standard |
            while IFS= read -r -d '' f; do [[ -f "$f" ]] && printf '%s\0' "$f"; done) >"$list"
    else
        (cd "$src" && find . -path ./.git -prune -o -path './build*' -prune -o -type f -print0) >"$list"
    fi
    tar -C "$src" --null -T "$list" --transform "s,^\(\./\)\?,hixie76-$version/," -czf "$archive"
}
check archive make_archive
archive_sha256=$(sha256sum "$archive" 2>/dev/null | cut -d' ' -f1)

# --- CMake ----------------------------------------------------------------------------------------
# cmake_app DIR CXX STD ARGS...: configures, builds and runs the CMake consumer.
cmake_app() {
    local dir=$1 cxx=$2 std=$3
    shift 3
    cmake -S "$here/cmake" -B "$dir" "${generator[@]}" -DCMAKE_CXX_COMPILER="$cxx" \
        -DCMAKE_CXX_STANDARD="$std" -DCMAKE_CXX_STANDARD_REQUIRED=ON "$@" &&
        cmake --build "$dir" && "$dir/app"
}
for pair in "${all_pairs[@]}"; do
    cc=${pair%:*} std=${pair#*:}
    check "find-package/$cc/c++$std" cmake_app "$work/fp-$cc-$std" "$(cxx_of "$cc")" "$std" \
        -DHIXIE76_CONSUME=find_package -DCMAKE_PREFIX_PATH="$prefix"
done
check "find-package/build-tree" cmake_app "$work/fp-build-tree" g++ 17 \
    -DHIXIE76_CONSUME=find_package -Dhixie76_DIR="$work/lib-build"
refuses_2_0() {
    ! cmake -S "$here/cmake" -B "$work/fp-2.0" "${generator[@]}" -DHIXIE76_CONSUME=find_package \
        -DHIXIE76_REQUEST_VERSION=2.0 -DCMAKE_PREFIX_PATH="$prefix"
}
check "find-package/refuses-2.0" refuses_2_0
for pair in "${all_pairs[@]}"; do
    cc=${pair%:*} std=${pair#*:}
    check "subdirectory/$cc/c++$std" cmake_app "$work/sub-$cc-$std" "$(cxx_of "$cc")" "$std" \
        -DHIXIE76_CONSUME=subdirectory -DHIXIE76_SOURCE="$src"
    check "fetchcontent/$cc/c++$std" cmake_app "$work/fc-$cc-$std" "$(cxx_of "$cc")" "$std" \
        -DHIXIE76_CONSUME=fetchcontent -DHIXIE76_SOURCE="file://$archive" \
        -DHIXIE76_SOURCE_SHA256="$archive_sha256"
done

# --- plain compiler: pkg-config and copy-in -----------------------------------------------------
# plain_app OUT CXX STD FLAGS...: compiles app.cpp with FLAGS and runs it.
plain_app() {
    local out=$1 cxx=$2 std=$3
    shift 3
    "$cxx" -std=c++"$std" "${warnings[@]}" "$@" "$here/app.cpp" -o "$out" && "$out"
}
pc_cflags() { PKG_CONFIG_PATH="$1" pkg-config --cflags hixie76; }
mkdir -p "$work/copy-in/third_party"
cp -R "$src/include/hixie76" "$work/copy-in/third_party/"
for pair in "${all_pairs[@]}"; do
    cc=${pair%:*} std=${pair#*:}
    # word splitting of the flags is intended
    # shellcheck disable=SC2046
    check "pkg-config/$cc/c++$std" plain_app "$work/pc-$cc-$std" "$(cxx_of "$cc")" "$std" \
        $(pc_cflags "$prefix/share/pkgconfig")
    check "copy-in/$cc/c++$std" plain_app "$work/copy-in/app-$cc-$std" "$(cxx_of "$cc")" "$std" \
        -I"$work/copy-in/third_party"
done

# --- Meson -------------------------------------------------------------------------------------
# meson_app DIR CXX STD ARGS...: a copy of the Meson consumer in DIR, set up, built and tested.
meson_app() {
    local dir=$1 cxx=$2 std=$3
    shift 3
    mkdir -p "$dir" &&
        cp "$here/meson/meson.build" "$here/meson/meson_options.txt" "$here/app.cpp" "$dir/" &&
        CXX=$cxx meson setup "$dir/build" "$dir" -Dcpp_std=c++"$std" "$@" &&
        meson compile -C "$dir/build" && meson test -C "$dir/build" --print-errorlogs
}
if command -v meson >/dev/null 2>&1; then
    meson_app_pc() { PKG_CONFIG_PATH="$prefix/share/pkgconfig" meson_app "$@"; }
    check "meson-installed/pkg-config/gcc/c++20" meson_app_pc "$work/mi-pc" g++ 20 \
        -Dmethod=pkg-config --wrap-mode=nofallback
    check "meson-installed/cmake/clang/c++17" meson_app "$work/mi-cmake" clang++ 17 \
        -Dmethod=cmake -Dcmake_prefix_path="$prefix" --wrap-mode=nofallback

    # Meson's own install rules, read back through pkg-config.
    meson_install() {
        meson setup "$work/lib-meson" "$src" -Dtests=false --prefix "$work/prefix-meson" &&
            meson install -C "$work/lib-meson" &&
            [[ -f "$work/prefix-meson/share/pkgconfig/hixie76.pc" ]] &&
            # shellcheck disable=SC2046
            plain_app "$work/mi-install-app" g++ 17 $(pc_cflags "$work/prefix-meson/share/pkgconfig")
    }
    check "meson-install/pkg-config/gcc/c++17" meson_install

    # meson_wrap DIR CXX STD: the consumer with subprojects/hixie76.wrap, forced to use it.
    meson_wrap() {
        local dir=$1
        mkdir -p "$dir/subprojects" &&
            cat >"$dir/subprojects/hixie76.wrap" <<WRAP &&
[wrap-file]
directory = hixie76-$version
source_url = file://$archive
source_filename = hixie76-$version.tar.gz
source_hash = $archive_sha256

[provide]
dependency_names = hixie76
WRAP
            meson_app "$@" --wrap-mode=forcefallback &&
            # as a subproject, hixie76 builds none of its tests
            ! meson introspect --targets "$dir/build" | grep -q hixie76_tests
    }
    for pair in "${all_pairs[@]}"; do
        cc=${pair%:*} std=${pair#*:}
        check "meson-wrap/$cc/c++$std" meson_wrap "$work/mw-$cc-$std" "$(cxx_of "$cc")" "$std"
    done
else
    echo "FAIL meson: meson is not installed"
    failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
((failed == 0))
