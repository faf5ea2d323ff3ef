#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/list_sources.py — the doctest suite's sources, for build systems that cannot glob.
#
#   list_sources.py            prints tests/main.cpp and every tests/test_*.cpp, one a line,
#                              as paths relative to the repository root
#   list_sources.py --check F… exits 1 unless F… is exactly that list (a stale configuration)
import pathlib
import sys

TESTS = pathlib.Path(__file__).resolve().parent
ROOT = TESTS.parent


def sources():
    files = [TESTS / "main.cpp"] + sorted(TESTS.glob("test_*.cpp"))
    return [f.relative_to(ROOT).as_posix() for f in files]


def main(argv):
    if len(argv) > 1 and argv[1] == "--check":
        configured = sorted(pathlib.Path(a).as_posix() for a in argv[2:])
        current = sorted(sources())
        if configured == current:
            return 0
        added = sorted(set(current) - set(configured))
        removed = sorted(set(configured) - set(current))
        print("the build's list of test sources is stale; run `meson setup --reconfigure`")
        for f in added:
            print("  new:     " + f)
        for f in removed:
            print("  removed: " + f)
        return 1
    print("\n".join(sources()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
