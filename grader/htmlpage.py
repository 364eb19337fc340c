"""How the grader's HTML pages are made: one self-contained file each, safe to open.

A page carries everything it shows: its styles inline, its charts as inline SVG,
at most one small script of ours. Its Content-Security-Policy lets it load
nothing at all (no network, no files beside it) and run no script but ours, named
by its hash: a second wall behind the escaping, should a student's text ever
reach the page unescaped. Every piece of text goes through ``esc``.
"""

from __future__ import annotations

import base64
import hashlib
import html
from urllib.parse import quote

from grader.gradebook import clean

STYLE = """
:root { --ink: #1d2433; --muted: #5b6475; --line: #d9dde5; --good: #2f7d4f; --bad: #b3362f;
        --bar: #3b6fb6; --bar2: #9db8de; --mark: #fff1b8; --paper: #fff; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       background: var(--paper); margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.25em; margin: 32px 0 8px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1.05em; margin: 18px 0 6px; }
p.lead, .muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f3f5f8; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 110px; }
.card b { display: block; font-size: 1.5em; }
.good { color: var(--good); } .bad { color: var(--bad); }
pre, code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: #f6f7f9; border: 1px solid var(--line); padding: 8px; overflow-x: auto;
      white-space: pre-wrap; word-break: break-word; margin: 4px 0; }
.side { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 8px; }
.nowrap { white-space: nowrap; }
.side pre { white-space: pre; font-size: 12px; }
.side span.same { background: var(--mark); display: inline-block; width: 100%; }
.who { font-size: 0.92em; }
input[type=search] { font: inherit; padding: 4px 8px; width: 320px; max-width: 100%; }
th.sortable { cursor: pointer; } th.sortable::after { content: " \\2195"; color: var(--muted); }
svg text { font: 12px system-ui, sans-serif; fill: var(--ink); }
details > summary { cursor: pointer; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  .noprint, input[type=search] { display: none; }
  h2 { break-after: avoid; } tr, .card, svg, pre { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def esc(text: object) -> str:
    """Text (or an attribute value) as HTML: escaped, control characters dropped."""
    return html.escape(clean(str(text)), quote=True)


def href(path: str) -> str:
    """A relative link to one of our own files, percent-encoded, then escaped."""
    return esc(quote(path))


def points(value: float | None) -> str:
    return "–" if value is None else f"{value:.3g}" if value != int(value) else f"{value:g}"


def script_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()


def page(title: str, body: str, script: str = "") -> str:
    """A whole HTML document; ``title`` is text, ``body`` HTML made with ``esc``."""
    allowed = f"'{script_hash(script)}'" if script else "'none'"
    policy = (f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
              f"script-src {allowed}; base-uri 'none'; form-action 'none'")
    tail = f"<script>{script}</script>\n" if script else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"referrer\" content=\"no-referrer\">\n"
            f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            f"{body}\n{tail}</body>\n</html>\n")


# -- charts ------------------------------------------------------------------------------

def column_chart(labels: list[str], counts: list[int], caption: str) -> str:
    """Vertical bars, one per label, each with its count above it."""
    width, height, left, bottom = 640, 200, 30, 36
    step = (width - left) / max(1, len(counts))
    top = max(counts, default=0) or 1
    parts = [f'<svg role="img" viewBox="0 0 {width} {height}" width="100%" '
             f'style="max-width:{width}px"><title>{esc(caption)}</title>']
    for i, (label, count) in enumerate(zip(labels, counts)):
        x = left + i * step
        tall = (height - bottom - 20) * count / top
        y = height - bottom - tall
        parts.append(f'<rect x="{x + 3:.1f}" y="{y:.1f}" width="{step - 6:.1f}" '
                     f'height="{tall:.1f}" fill="#3b6fb6"><title>{esc(label)}: {count}'
                     '</title></rect>')
        parts.append(f'<text x="{x + step / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">'
                     f'{count}</text>')
        parts.append(f'<text x="{x + step / 2:.1f}" y="{height - bottom + 16}" '
                     f'text-anchor="middle">{esc(label)}</text>')
    parts.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
                 'stroke="#5b6475"/>')
    parts.append(f'<text x="{width / 2:.0f}" y="{height - 4}" text-anchor="middle">'
                 f'{esc(caption)}</text></svg>')
    return "".join(parts)


def bar_pairs(rows: list[tuple[str, float, str, float, str]], legend: tuple[str, str]) -> str:
    """Horizontal bars, two per row: (label, share, its text, second share, its text),
    shares from 0 to 1."""
    width, left, bar, gap = 640, 130, 14, 14
    height = len(rows) * (2 * bar + gap) + 44
    parts = [f'<svg role="img" viewBox="0 0 {width} {height}" width="100%" '
             f'style="max-width:{width}px"><title>{esc(" and ".join(legend))}</title>']
    room = width - left - 190
    for i, (label, first, first_text, second, second_text) in enumerate(rows):
        y = 8 + i * (2 * bar + gap)
        parts.append(f'<text x="0" y="{y + bar + 4}">{esc(label)}</text>')
        for j, (share, text, colour) in enumerate(((first, first_text, "#3b6fb6"),
                                                   (second, second_text, "#9db8de"))):
            top = y + j * bar
            size = max(0.0, min(1.0, share)) * room
            parts.append(f'<rect x="{left}" y="{top}" width="{size:.1f}" height="{bar - 2}" '
                         f'fill="{colour}"/>')
            parts.append(f'<text x="{left + size + 6:.1f}" y="{top + bar - 3}">{esc(text)}</text>')
    for j, (text, colour) in enumerate(zip(legend, ("#3b6fb6", "#9db8de"))):
        y = height - 24 + j * 16
        parts.append(f'<rect x="{left}" y="{y - 9}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{left + 14}" y="{y}">{esc(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)
