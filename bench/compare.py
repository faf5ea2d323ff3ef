#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turns hixie76_bench JSON output into a table of ratios to the floors and speed-ups over
websocketpp, checks the targets, and optionally draws an SVG chart.

    taskset -c 1 build/bench/hixie76_bench --benchmark_repetitions=7 \\
        --benchmark_report_aggregates_only=true --benchmark_out=bench.json
    python3 bench/compare.py bench.json [--svg bench/throughput.svg] [--real-time]

Several JSON files may be given (their runs are pooled). With repetitions, the median is
used (the "median" aggregate, or the median of the repetitions when only those were kept).
Times are CPU time per iteration unless --real-time. Every ratio compares two benchmarks of
the same run doing the same work, so it is a ratio of times:

    ratio to floor        = floor time / hixie76 time      (1.0 = as fast as the floor)
    speed-up over wspp    = websocketpp time / hixie76 time

Exit status: 0 when every target is met, 1 when one is missed, 2 on a benchmark error.
Needs only the standard library.
"""
import argparse
import json
import math
import statistics
import sys

SIZES = ["16", "1024", "65536"]
DECODE_OPS = ["decode", "decode_chunk1500", "decode_utf8", "decode_utf8mb"]
ASSEMBLE_OPS = ["assemble", "assemble_chunk1500"]
ENCODE_OPS = ["encode_writev", "encode_copy"]

TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def load(paths, use_real):
    """name -> {time_ns, bytes_per_second, items_per_second, allocs}; plus errors."""
    runs = {}
    medians = {}
    errors = {}
    context = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        context = data.get("context", context)
        for b in data.get("benchmarks", []):
            name = b.get("run_name", b["name"])
            if b.get("error_occurred"):
                errors[name] = b.get("error_message", "error")
                continue
            key = "real_time" if use_real else "cpu_time"
            rec = {
                "time_ns": b[key] * TO_NS[b.get("time_unit", "ns")],
                "bytes_per_second": b.get("bytes_per_second"),
                "items_per_second": b.get("items_per_second"),
                "allocs": b.get("allocs"),
            }
            if b.get("run_type") == "aggregate":
                if b.get("aggregate_name") == "median":
                    medians[name] = rec
            else:
                runs.setdefault(name, []).append(rec)
    results = {}
    for name, recs in runs.items():
        if name in medians:
            continue
        med_t = statistics.median(r["time_ns"] for r in recs)
        rec = dict(min(recs, key=lambda r: abs(r["time_ns"] - med_t)))
        # Rates are proportional to 1/time for fixed work: rescale to the median time.
        for k in ("bytes_per_second", "items_per_second"):
            if rec[k] is not None:
                rec[k] = rec[k] * rec["time_ns"] / med_t
        rec["time_ns"] = med_t
        results[name] = rec
    results.update(medians)
    return results, errors, context


def fmt_time(ns):
    if ns is None:
        return "—"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.0f} ns"


def fmt_rate(bps):
    if bps is None:
        return "—"
    return f"{bps / 1e9:.2f} GB/s" if bps >= 1e8 else f"{bps / 1e6:.1f} MB/s"


def fmt_x(x):
    if x is None:
        return "—"
    return f"{x:.2f}×" if x < 10 else f"{x:.1f}×"


def fmt_allocs(a):
    if a is None:
        return "—"
    return f"{a:.0f}" if a >= 10 or a == int(a) else f"{a:.2f}"


def floor_of(op, arg):
    if op == "handshake":
        return f"floor/handshake/{arg}"
    if op in ASSEMBLE_OPS:
        return f"floor/memchr_memcpy/{arg}"
    if op == "encode_copy":
        return f"floor/memcpy/{arg}"
    return f"floor/memchr/{arg}"


def peer_of(op, arg):
    # websocketpp has one encoder (prepare_data_frame copies): both forms are compared to it.
    if op == "encode_writev":
        return f"websocketpp/encode_copy/{arg}"
    # websocketpp's decoder hands out whole messages (copied): it is the peer of both forms.
    if op in ASSEMBLE_OPS:
        return f"websocketpp/{op.replace('assemble', 'decode')}/{arg}"
    return f"websocketpp/{op}/{arg}"


def ratio(num, den):
    if num is None or den is None or den == 0:
        return None
    return num / den


def rows(res):
    out = []
    order = [("handshake", a) for a in ("spec", "cookie")]
    order += [(op, a) for op in DECODE_OPS + ASSEMBLE_OPS + ENCODE_OPS for a in SIZES]
    for op, arg in order:
        name = f"hixie76/{op}/{arg}"
        h = res.get(name)
        fl = res.get(floor_of(op, arg))
        pe = res.get(peer_of(op, arg))
        out.append({
            "name": name,
            "op": op,
            "arg": arg,
            "time": h["time_ns"] if h else None,
            "rate": h["bytes_per_second"] if h else None,
            "items": h["items_per_second"] if h else None,
            "allocs": h["allocs"] if h else None,
            "floor": floor_of(op, arg),
            "to_floor": ratio(fl["time_ns"] if fl else None, h["time_ns"] if h else None),
            "peer": peer_of(op, arg),
            "peer_time": pe["time_ns"] if pe else None,
            "peer_allocs": pe["allocs"] if pe else None,
            "speedup": ratio(pe["time_ns"] if pe else None, h["time_ns"] if h else None),
        })
    return out


def table(res):
    lines = [
        "| benchmark | time | throughput | floor | ratio to floor | websocketpp time "
        "| speed-up over websocketpp | allocs (hixie76 / websocketpp) |",
        "|---|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in rows(res):
        peer_note = " †" if r["op"] == "encode_writev" else ""
        if r["op"] == "handshake":
            rate = f"{r['items'] / 1e6:.2f} M/s" if r["items"] else "—"
        else:
            rate = fmt_rate(r["rate"])
        lines.append(
            f"| `{r['name']}` | {fmt_time(r['time'])} | {rate} | "
            f"`{r['floor']}` | {fmt_x(r['to_floor'])} | {fmt_time(r['peer_time'])}{peer_note} | "
            f"{fmt_x(r['speedup'])} | {fmt_allocs(r['allocs'])} / {fmt_allocs(r['peer_allocs'])} |")
    lines.append("")
    lines.append("Handshake rows: throughput in handshakes/s; the floor is a lean handshake that "
                 "only recognises the request (see bench/README.md).")
    lines.append("Assemble rows: the peer is websocketpp's decoder, which hands out whole "
                 "(copied) messages.")
    lines.append("† websocketpp has no writev form: `encode_writev` is compared with its only "
                 "encoder (`prepare_data_frame`, which copies and validates UTF-8).")
    floors = [n for n in ("floor/handshake/spec", "floor/handshake/cookie", "floor/md5/16",
                          "websocketpp/md5/16") if n in res] + [
        f"floor/{f}/{a}" for f in ("memchr", "memcpy", "memchr_memcpy") for a in SIZES
        if f"floor/{f}/{a}" in res]
    if floors:
        lines.append("")
        lines.append("| floor | time | throughput |")
        lines.append("|---|---:|---:|")
        for n in floors:
            lines.append(f"| `{n}` | {fmt_time(res[n]['time_ns'])} | "
                         f"{fmt_rate(res[n]['bytes_per_second'])} |")
    return "\n".join(lines)


def targets(res):
    """(description, value, threshold, ok) for each target; ok None = cannot tell."""
    t = []

    def get(n):
        r = res.get(n)
        return r["time_ns"] if r else None

    def check(desc, value, threshold, higher_is_better=True, unit="×"):
        if value is None:
            t.append((desc, "—", threshold, None, unit))
            return
        ok = value >= threshold if higher_is_better else value <= threshold
        t.append((desc, value, threshold, ok, unit))

    for arg in ("spec", "cookie"):
        check(f"handshake/{arg}: speed-up over websocketpp ≥ 40×",
              ratio(get(f"websocketpp/handshake/{arg}"), get(f"hixie76/handshake/{arg}")), 40)
        a = res.get(f"hixie76/handshake/{arg}")
        check(f"handshake/{arg}: heap allocations per handshake = 0",
              a["allocs"] if a else None, 0, higher_is_better=False, unit="")
        check(f"handshake/{arg}: time ≤ 1.3× the lean handshake floor",
              ratio(get(f"hixie76/handshake/{arg}"), get(f"floor/handshake/{arg}")), 1.3,
              higher_is_better=False)
    for arg in ("1024", "65536"):
        check(f"decode/{arg}: ≥ 0.7× the memchr floor",
              ratio(get(f"floor/memchr/{arg}"), get(f"hixie76/decode/{arg}")), 0.7)
    for arg in ("1024", "65536"):
        check(f"decode_chunk1500/{arg}: ≥ 0.7× the memchr floor",
              ratio(get(f"floor/memchr/{arg}"), get(f"hixie76/decode_chunk1500/{arg}")), 0.7)
    for arg in ("1024", "65536"):
        check(f"assemble_chunk1500/{arg}: ≥ 0.5× the memchr+memcpy floor",
              ratio(get(f"floor/memchr_memcpy/{arg}"), get(f"hixie76/assemble_chunk1500/{arg}")),
              0.5)
    check("decode/16: speed-up over websocketpp ≥ 3×",
          ratio(get("websocketpp/decode/16"), get("hixie76/decode/16")), 3)
    check("decode_utf8/65536: ≥ 0.25× the memchr floor",
          ratio(get("floor/memchr/65536"), get("hixie76/decode_utf8/65536")), 0.25)
    check("encode_copy/65536: ≥ 0.7× the memcpy floor",
          ratio(get("floor/memcpy/65536"), get("hixie76/encode_copy/65536")), 0.7)
    # writev: constant time besides the 0xFF scan, i.e. no slower than the memchr floor over
    # the same bytes (10 % allowance for noise) at every size.
    for arg in SIZES:
        check(f"encode_writev/{arg}: time ≤ 1.1× the memchr floor (constant apart from the scan)",
              ratio(get(f"hixie76/encode_writev/{arg}"), get(f"floor/memchr/{arg}")), 1.1,
              higher_is_better=False)
    for op in DECODE_OPS + ASSEMBLE_OPS:
        for arg in SIZES:
            a = res.get(f"hixie76/{op}/{arg}")
            if a is not None and a["allocs"]:
                check(f"{op}/{arg}: no allocation", a["allocs"], 0, higher_is_better=False,
                      unit="")
    return t


def targets_table(res):
    lines = ["| target | measured | met? |", "|---|---:|:---:|"]
    all_ok = True
    for desc, value, threshold, ok, unit in targets(res):
        if isinstance(value, float) or isinstance(value, int):
            v = f"{value:.2f}{unit}" if unit else f"{value:g}"
        else:
            v = value
        mark = "n/a" if ok is None else ("yes" if ok else "**no**")
        if ok is False:
            all_ok = False
        lines.append(f"| {desc} | {v} | {mark} |")
    return "\n".join(lines), all_ok


def writev_overheads(res):
    lines = ["| frame size | encode_writev per frame | memchr floor per frame |",
             "|---:|---:|---:|"]
    for arg in SIZES:
        w = res.get(f"hixie76/encode_writev/{arg}")
        m = res.get(f"floor/memchr/{arg}")
        if not w or not m or not w["items_per_second"] or not m["items_per_second"]:
            continue
        lines.append(f"| {arg} | {1e9 / w['items_per_second']:.1f} ns | "
                     f"{1e9 / m['items_per_second']:.1f} ns |")
    return "\n".join(lines)


# --- SVG chart, written by hand (no plotting library needed) ---------------------------------

SERIES = [
    ("floor/memchr", "#555555", "floor: memchr for FF"),
    ("floor/memcpy", "#999999", "floor: memcpy of payloads"),
    ("floor/memchr_memcpy", "#bbbbbb", "floor: memchr + memcpy"),
    ("hixie76/decode", "#1f5fbf", "hixie76 decode"),
    ("hixie76/decode_chunk1500", "#4f8fef", "hixie76 decode, 1500-byte slices"),
    ("hixie76/decode_utf8", "#8fb8f5", "hixie76 decode + UTF-8 check"),
    ("hixie76/assemble_chunk1500", "#6f4fbf", "hixie76 assemble, 1500-byte slices"),
    ("hixie76/encode_copy", "#1f9f5f", "hixie76 encode (copy)"),
    ("hixie76/encode_writev", "#7fd6a6", "hixie76 encode (writev)"),
    ("websocketpp/decode", "#c0392b", "websocketpp decode"),
    ("websocketpp/decode_utf8", "#e8877c", "websocketpp decode + UTF-8 check"),
    ("websocketpp/encode_copy", "#f0b27a", "websocketpp encode"),
]


def svg_chart(res, title):
    series = [s for s in SERIES if any(f"{s[0]}/{a}" in res for a in SIZES)]
    w, h = 900, 520
    left, right, top, bottom = 70, 250, 50, 60
    pw, ph = w - left - right, h - top - bottom
    vals = [res[f"{s[0]}/{a}"]["bytes_per_second"] / 1e9 for s in series for a in SIZES
            if f"{s[0]}/{a}" in res and res[f"{s[0]}/{a}"]["bytes_per_second"]]
    lo = 10 ** math.floor(math.log10(min(vals)))
    hi = 10 ** math.ceil(math.log10(max(vals)))

    def y(v):
        return top + ph - (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{left + pw / 2}" y="25" text-anchor="middle" font-size="15">'
           f'{title}</text>']
    d = lo
    while d <= hi * 1.0001:
        yy = y(d)
        out.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{left + pw}" y2="{yy:.1f}" '
                   f'stroke="#dddddd"/>')
        label = f"{d:g}"
        out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">{label}</text>')
        d *= 10
    out.append(f'<text x="18" y="{top + ph / 2}" transform="rotate(-90 18 {top + ph / 2})" '
               f'text-anchor="middle">throughput, GB/s (log scale)</text>')
    group = pw / len(SIZES)
    bar = group * 0.8 / max(1, len(series))
    for gi, arg in enumerate(SIZES):
        gx = left + gi * group + group * 0.1
        for si, (prefix, color, _) in enumerate(series):
            r = res.get(f"{prefix}/{arg}")
            if not r or not r["bytes_per_second"]:
                continue
            v = r["bytes_per_second"] / 1e9
            x = gx + si * bar
            yy = y(v)
            out.append(f'<rect x="{x:.1f}" y="{yy:.1f}" width="{bar * 0.9:.1f}" '
                       f'height="{top + ph - yy:.1f}" fill="{color}">'
                       f'<title>{prefix}/{arg}: {v:.3g} GB/s</title></rect>')
        size_label = {"16": "16-byte frames", "1024": "1 KiB frames", "65536": "64 KiB frames"}
        out.append(f'<text x="{left + gi * group + group / 2:.1f}" y="{top + ph + 20}" '
                   f'text-anchor="middle">{size_label[arg]}</text>')
    out.append(f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" '
               f'stroke="black"/>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="black"/>')
    for si, (_, color, label) in enumerate(series):
        ly = top + 10 + si * 20
        out.append(f'<rect x="{left + pw + 15}" y="{ly}" width="12" height="12" '
                   f'fill="{color}"/>')
        out.append(f'<text x="{left + pw + 32}" y="{ly + 10}">{label}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{h - 12}" text-anchor="middle" fill="#555555">'
               f'~1 MiB of frames per pass; median of repetitions; one core</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("json", nargs="+", help="--benchmark_out files of hixie76_bench")
    ap.add_argument("--svg", help="write a throughput chart to this SVG file")
    ap.add_argument("--real-time", action="store_true", help="use wall time, not CPU time")
    args = ap.parse_args()
    res, errors, context = load(args.json, args.real_time)
    if context:
        print(f"Run: {context.get('date', '?')} on {context.get('host_name', '?')}, "
              f"{context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz; "
              f"websocketpp: {context.get('websocketpp', '?')}\n")
    print(table(res))
    print()
    print(writev_overheads(res))
    print()
    text, ok = targets_table(res)
    print(text)
    if errors:
        print()
        for name, msg in sorted(errors.items()):
            print(f"ERROR {name}: {msg}")
    if args.svg:
        with open(args.svg, "w", encoding="utf-8") as f:
            f.write(svg_chart(res, "Throughput by frame size (higher is better)"))
    if errors:
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
