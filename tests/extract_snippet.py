#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/extract_snippet.py — copies a README code block marked `<!-- snippet: NAME ... -->`
# into a file, so that the test suite compiles exactly what the README shows.
#
#   extract_snippet.py README.md NAME OUT
import pathlib
import re
import sys


def main() -> int:
    readme, name, out = sys.argv[1], sys.argv[2], sys.argv[3]
    text = pathlib.Path(readme).read_text(encoding="utf-8")
    m = re.search(r"<!-- snippet: " + re.escape(name) + r"\b[^\n]*-->\n```cpp\n(.*?)\n```",
                  text, re.S)
    if not m:
        print(f"{readme}: no snippet named {name}", file=sys.stderr)
        return 1
    body = f"// Generated from {pathlib.Path(readme).name}; edit the README, not this file.\n"
    body += m.group(1) + "\n"
    path = pathlib.Path(out)
    if not path.exists() or path.read_text(encoding="utf-8") != body:
        path.write_text(body, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
