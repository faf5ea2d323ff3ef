#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# bench/scale_chart.py — draws bench/scale.sh's results.json as an SVG bar chart: fan-out
# deliveries per second per server and client count (left), latency p99 (right, log scale).
#
#   python3 bench/scale_chart.py RESULTS.json OUT.svg [--title TEXT]
#
# Standard library only; the SVG is plain text (no scripts, no external fonts).
import argparse
import json
import math
from xml.sax.saxutils import escape

COLORS = {'hixie76-chat': '#2b6cb0', 'netty-room': '#c05621'}


def bars(rows, x0, y0, w, h, value, label, log=False, unit='', mark=None):
    """One panel: groups by client count, one bar per server."""
    out = []
    sizes = sorted({r['clients'] for r in rows})
    servers = [s for s in COLORS if any(r['server'] == s for r in rows)]
    vals = [value(r) for r in rows if value(r) is not None]
    top = max(vals) if vals else 1.0
    if log:
        lo = 10 ** math.floor(math.log10(max(min(v for v in vals if v > 0), 1e-3))) if vals else 1
        hi = 10 ** math.ceil(math.log10(max(top, lo * 10)))

        def scale(v):
            v = max(v, lo)
            return h * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
        ticks = [lo * 10 ** k for k in range(int(round(math.log10(hi / lo))) + 1)]
    else:
        step = 10 ** math.floor(math.log10(top)) if top > 0 else 1
        hi = math.ceil(top / step) * step

        def scale(v):
            return h * v / hi
        ticks = [hi * k / 4 for k in range(5)]
    out.append('<text x="%g" y="%g" font-size="13" font-weight="bold">%s</text>'
               % (x0, y0 - 12, escape(label)))
    for t in ticks:
        y = y0 + h - scale(t)
        out.append('<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#ddd"/>' % (x0, y, x0 + w, y))
        text = ('%g' % t) if t < 1e4 else ('%.0fk' % (t / 1e3) if t < 1e6 else '%gM' % (t / 1e6))
        out.append('<text x="%g" y="%g" font-size="10" text-anchor="end">%s%s</text>'
                   % (x0 - 4, y + 3, text, unit))
    group = w / max(len(sizes), 1)
    bw = group * 0.7 / max(len(servers), 1)
    for i, n in enumerate(sizes):
        gx = x0 + i * group + group * 0.15
        for j, s in enumerate(servers):
            r = next((r for r in rows if r['server'] == s and r['clients'] == n), None)
            x = gx + j * bw
            if r is None or value(r) is None:
                out.append('<text x="%g" y="%g" font-size="9" text-anchor="middle" fill="#888">'
                           'not run</text>' % (x + bw / 2, y0 + h - 4))
                continue
            v = value(r)
            bh = scale(v)
            out.append('<rect x="%g" y="%g" width="%g" height="%g" fill="%s"/>'
                       % (x, y0 + h - bh, bw - 2, bh, COLORS[s]))
            tag = '%.0f' % v if v >= 10 else '%.1f' % v
            if r.get('lost'):
                tag += ' (lost)'
            out.append('<text x="%g" y="%g" font-size="9" text-anchor="middle">%s</text>'
                       % (x + bw / 2, y0 + h - bh - 3, escape(tag)))
        out.append('<text x="%g" y="%g" font-size="11" text-anchor="middle">%d clients</text>'
                   % (x0 + i * group + group / 2, y0 + h + 14, n))
    out.append('<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#333"/>'
               % (x0, y0 + h, x0 + w, y0 + h))
    if mark is not None and 0 < scale(mark[0]) <= h:
        y = y0 + h - scale(mark[0])
        out.append('<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#c53030" '
                   'stroke-dasharray="4 3"/>' % (x0, y, x0 + w, y))
        out.append('<text x="%g" y="%g" font-size="9" fill="#c53030" text-anchor="end">%s</text>'
                   % (x0 + w, y - 3, escape(mark[1])))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('results')
    ap.add_argument('out')
    ap.add_argument('--title', default='hixie76-chat and a Netty room under hixie76-load')
    args = ap.parse_args()
    rows = [r for r in json.load(open(args.results, encoding='utf-8')) if r['row'] == 'fanout']
    width, height = 860, 330
    svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" viewBox="0 0 %d %d">' % (width, height, width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="20" y="22" font-size="15" font-weight="bold">%s</text>'
           % escape(args.title)]
    svg += bars(rows, 70, 70, 340, 200, lambda r: r['deliveries_per_s'] or 0,
                'fan-out: deliveries per second (higher is better)')
    svg += bars(rows, 500, 70, 340, 200,
                lambda r: (r['latency_ms'] or {}).get('p99'),
                'latency p99, ms, log scale (lower is better)', log=True, mark=(1000, '1 s'))
    for k, (s, c) in enumerate(COLORS.items()):
        svg.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>'
                   % (70 + k * 160, height - 26, c))
        svg.append('<text x="%d" y="%d" font-size="12">%s</text>'
                   % (88 + k * 160, height - 16, escape(s)))
    svg.append('</svg>')
    with open(args.out, 'w', encoding='utf-8') as f:
        f.write('\n'.join(svg) + '\n')


if __name__ == '__main__':
    main()
