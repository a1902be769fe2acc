"""HTML building blocks: every text goes through ``esc``; pages carry their own CSS."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

CSS = """
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #ffffff; --muted: #57606a;
  --line: #d0d7de; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --bar: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1;
  --line: #3d444d; --ok: #3fb950; --bad: #f85149; --warn: #d29922; --bar: #4493f8; } }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
  background: var(--bg); margin: 0 auto; padding: 1rem 1.5rem 3rem; max-width: 80rem; }
a { color: var(--bar); }
a:focus-visible, [tabindex]:focus-visible { outline: 3px solid var(--bar); outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: var(--bg); }
header p, footer, .muted { color: var(--muted); }
nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: left;
  vertical-align: top; }
thead th { border-bottom: 2px solid var(--fg); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.state { font-weight: 600; white-space: nowrap; }
.state::before { display: inline-block; width: 1.1em; }
.ok { color: var(--ok); } .ok::before { content: "\\2713 "; }
.bad { color: var(--bad); } .bad::before { content: "\\2717 "; }
.warn { color: var(--warn); } .warn::before { content: "! "; }
.none::before { content: "\\2013 "; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
figure { margin: 0 0 1rem; } figcaption { font-weight: 600; }
svg text { fill: var(--fg); font: 11px system-ui, sans-serif; }
svg .axis { stroke: var(--muted); } svg .bar { fill: var(--bar); }
svg .failed { stroke: var(--bad); }
@media print {
  :root { --fg: #000; --bg: #fff; --muted: #333; --line: #999; --ok: #000; --bad: #000;
    --warn: #000; --bar: #444; }
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav, .skip { display: none; }
  a { color: #000; text-decoration: none; }
  table, figure { page-break-inside: avoid; }
  thead { display: table-header-group; }
}
"""


def esc(value: object) -> str:
    """Any value as HTML text: quotes too, so it is safe in an attribute."""
    return escape("" if value is None else str(value), quote=True)


def page(title: str, body: str, home: str = "index.html") -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # nothing may be fetched: no script, no remote style, image, font or frame
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        '<a class="skip" href="#main">Skip to content</a>\n'
        f'<nav aria-label="Dashboard"><ul><li><a href="{esc(home)}">All environments</a></li>'
        "</ul></nav>\n"
        f'<main id="main">\n{body}\n</main>\n</body>\n</html>\n'
    )


def table(
    caption: str,
    head: Sequence[str],
    rows: Iterable[Sequence[str]],
    numeric: frozenset[int] = frozenset(),
) -> str:
    """A table whose cells are HTML already (escaped by the caller); the first cell of each row
    is its header (``<th scope="row">``)."""
    cols = "".join(f'<th scope="col"{_num(i, numeric)}>{esc(h)}</th>' for i, h in enumerate(head))
    body = []
    for row in rows:
        first, *rest = row
        cells = "".join(f"<td{_num(i + 1, numeric)}>{c}</td>" for i, c in enumerate(rest))
        body.append(f'<tr><th scope="row">{first}</th>{cells}</tr>')
    if not body:
        span = len(head) - 1
        body.append(f'<tr><th scope="row">-</th><td colspan="{span}">none</td></tr>')
    return (
        f"<table>\n<caption>{esc(caption)}</caption>\n<thead><tr>{cols}</tr></thead>\n"
        f"<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>"
    )


def _num(index: int, numeric: frozenset[int]) -> str:
    return ' class="num"' if index in numeric else ""


def state(word: str, kind: str) -> str:
    """A status word with a symbol as well as a colour (readable without colour)."""
    return f'<span class="state {esc(kind)}">{esc(word)}</span>'
