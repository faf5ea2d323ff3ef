#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/check_api_table.py — the README's API table names every public name the headers
# declare at namespace scope (types, functions, constants), outside namespace `detail` (public
# types that live in a detail/ header count too).
#
#   check_api_table.py SOURCE_DIR
import pathlib
import re
import sys

DECL = [
    re.compile(r"^(?:template <[^>]*> )?(?:struct|class|enum class|union) (?:\[\[\w+\]\] )?(\w+)"),
    re.compile(r"^(?:inline |constexpr |static )*(?:const )?[\w:<>&*, ]+?[ &*](\w+)\("),
    re.compile(r"^inline constexpr [\w:<>, ]+ (\w+)(?:\[\])? ="),
    re.compile(r"^using (\w+) ="),
]


def public_names(header: pathlib.Path) -> set:
    names = set()
    depth_detail = 0
    for line in header.read_text(encoding="utf-8").splitlines():
        if re.match(r"^namespace ((hixie76::)?detail|std) \{", line):
            depth_detail += 1
            continue
        if re.match(r"^\} // namespace ((hixie76::)?detail|std)", line):
            depth_detail -= 1
            continue
        if depth_detail or line.startswith((" ", "\t", "//", "#", "}")):
            continue
        for rx in DECL:
            m = rx.match(line)
            if m and m.group(1) not in ("operator", "namespace"):
                names.add(m.group(1))
                break
    return names


def main() -> int:
    root = pathlib.Path(sys.argv[1])
    readme = (root / "README.md").read_text(encoding="utf-8")
    begin = readme.index("## API")
    table = readme[begin:readme.index("\n## ", begin + 1)]
    listed = set(re.findall(r"`(\w+)`", table))
    missing = []
    headers = sorted((root / "include" / "hixie76").glob("*.hpp"))
    headers += sorted((root / "include" / "hixie76" / "detail").glob("*.hpp"))
    for header in headers:
        for name in sorted(public_names(header)):
            if name not in listed:
                missing.append(f"{header.name}: {name}")
    if missing:
        print("README API table lacks:\n  " + "\n  ".join(missing), file=sys.stderr)
        return 1
    print(f"README API table lists every public name ({len(listed)} names in the table)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
