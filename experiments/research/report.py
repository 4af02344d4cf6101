"""A report as a list of blocks, written as report.md and a self-contained report.html.

Blocks are headings, paragraphs, tables (DataFrames), figures (PNG and SVG files written by
experiments.research.figures) and code. The HTML embeds every figure as base64 PNG, so it is
one file that opens anywhere; the Markdown links the PNG files beside it.
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from experiments.atomic import write_text


@dataclass
class Report:
    """An experiment's report, built block by block."""

    title: str
    out: Path
    blocks: list[tuple[str, object]] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> None:
        self.blocks.append(("heading", (level, text)))

    def text(self, text: str) -> None:
        self.blocks.append(("text", text))

    def table(self, frame: pd.DataFrame, caption: str = "") -> None:
        self.blocks.append(("table", (frame, caption)))

    def figure(self, stem: str, caption: str) -> None:
        """A figure already saved as figures/STEM.png and .svg under `out`."""
        self.blocks.append(("figure", (stem, caption)))

    def code(self, text: str) -> None:
        self.blocks.append(("code", text))

    def write(self) -> tuple[Path, Path]:
        """Write report.md and report.html into `out`; return their paths."""
        md, page = self.out / "report.md", self.out / "report.html"
        write_text(md, self.markdown())
        write_text(page, self.html())
        return md, page

    def markdown(self) -> str:
        parts = [f"# {self.title}\n"]
        for kind, value in self.blocks:
            parts.append(_MD[kind](value))
        return "\n".join(parts)

    def html(self) -> str:
        body = [f"<h1>{html.escape(self.title)}</h1>"]
        for kind, value in self.blocks:
            body.append(_html_block(kind, value, self.out))
        return _PAGE.format(title=html.escape(self.title), body="\n".join(body))


def _md_table(value: tuple[pd.DataFrame, str]) -> str:
    frame, caption = value
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    text = "\n".join([head, rule, *rows]) + "\n"
    return (f"*{caption}*\n\n" if caption else "") + text


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value).replace("|", "\\|")


_MD = {
    "heading": lambda v: f"{'#' * v[0]} {v[1]}\n",
    "text": lambda v: f"{v}\n",
    "table": _md_table,
    "figure": lambda v: f"![{v[1]}](figures/{v[0]}.png)\n\n*{v[1]}* ([SVG](figures/{v[0]}.svg))\n",
    "code": lambda v: f"```\n{v}\n```\n",
}


def _html_block(kind: str, value: object, out: Path) -> str:
    match kind:
        case "heading":
            level, text = value
            return f"<h{level}>{html.escape(text)}</h{level}>"
        case "text":
            return f"<p>{_inline(value)}</p>"
        case "table":
            frame, caption = value
            cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
            head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
            rows = "".join(
                "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
                for row in frame.itertuples(False)
            )
            return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        case "figure":
            stem, caption = value
            data = base64.b64encode((out / "figures" / f"{stem}.png").read_bytes()).decode()
            return (
                f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
                f"<figcaption>{html.escape(caption)}</figcaption></figure>"
            )
        case "code":
            return f"<pre><code>{html.escape(value)}</code></pre>"
    raise ValueError(f"unknown block {kind!r}")


def _inline(text: str) -> str:
    """Escape, then render `code` spans and **bold** as in the Markdown."""
    escaped = html.escape(text)
    parts = escaped.split("`")
    escaped = "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))
    parts = escaped.split("**")
    return "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))


def manifest_excerpt(manifest: dict) -> str:
    """The parts of a sweep manifest that say what was run: spec, hash, and the git state and
    package versions of its latest session."""
    keep = {k: manifest.get(k) for k in ("name", "spec_hash", "spec", "runs_total")}
    latest = manifest["sessions"][-1] if manifest.get("sessions") else {}
    keep |= {k: latest.get(k) for k in ("git", "versions")}
    return json.dumps(keep, indent=2, sort_keys=True, default=str)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.45; color: #222; }}
table {{ border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }}
caption {{ text-align: left; font-style: italic; padding-bottom: 0.3rem; }}
th, td {{ border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; }}
th {{ background: #f2f2f2; }}
img {{ max-width: 100%; }}
figcaption {{ font-style: italic; font-size: 0.9rem; }}
pre {{ background: #f6f6f6; padding: 0.8rem; overflow-x: auto; font-size: 0.8rem; }}
</style></head>
<body>
{body}
</body></html>
"""
