#!/usr/bin/env python3
"""Export a ServerLab notebook as a self-contained HTML handout (one file, opens offline).

    .venv/bin/python scripts/handout.py notebooks/00-welcome.ipynb [-o OUT.html] [--execute] [--keep-solutions]

- nbconvert's HTMLExporter with the JupyterLab ("lab") template; the CSS (JupyterLab light theme + Pygments)
  is inlined in <style> elements and every image is a data: URI (outputs already are; ``embed_images=True``
  turns local markdown images into data URIs too).
- The network-dependent parts of the lab template are removed: the require.js <script src> (CDN), MathJax
  (CDN), Mermaid (dynamic import from a CDN) and the Jupyter widgets manager. Consequences: LaTeX in markdown
  stays as its TeX source, ```mermaid blocks stay as their source text, and a widget output shows its static
  fallback (the image or text the kernel sent beside the widget view). Whatever http(s) reference is still in the page (e.g. a markdown link or an image the
  notebook itself points at) is listed on stderr after the export.
- Cells tagged ``solution`` are dropped unless ``--keep-solutions``; the usual ``remove-cell``,
  ``remove-input`` and ``remove-output`` tags are honoured as well.
- ``--execute`` runs the notebook first with nbclient (kernel from the notebook's metadata, default
  ``serverlab``; working directory = the notebook's directory) *with* its solution cells, so later cells
  that depend on a solution still work, and only then removes them. ``SERVERLAB_QUICK`` is inherited by the
  kernel; ``--quick`` sets it to 1.

Exit status: 0 on success, 1 when execution fails (the error is printed), 2 on bad arguments.
"""
from __future__ import annotations

import argparse
import copy
import os
import re
import sys
from pathlib import Path

SOLUTION_TAG = "solution"
DEFAULT_KERNEL = "serverlab"

# Extends the stock lab template and blanks every block that would fetch from the network at view time.
OFFLINE_TEMPLATE = r"""
{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""

# src/href attributes (and CSS url()/@import) that point at the network.
_REMOTE = re.compile(
    r"""<(?P<tag>[a-zA-Z][\w-]*)\b[^>]*?\b(?P<attr>src|href)\s*=\s*["'](?P<url>(?:https?:)?//[^"']+)["']"""
    r"""|(?P<css>@import\s+(?:url\()?["']?(?:https?:)?//[^"')\s;]+|url\(\s*["']?(?:https?:)?//[^"')\s]+)""",
    re.IGNORECASE,
)


def remote_references(html: str) -> list[tuple[str, str]]:
    """Every (element or 'css', url) in ``html`` that would be fetched from, or link to, the network."""
    found = []
    for m in _REMOTE.finditer(html):
        if m.group("css"):
            found.append(("css", m.group("css")))
        else:
            found.append((m.group("tag").lower(), m.group("url")))
    return found


def fetched_at_view_time(refs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The subset a browser loads on its own when opening the page (plain <a href> links are not)."""
    return [(tag, url) for tag, url in refs if tag != "a"]


def execute(nb, notebook_path: Path, kernel_name: str | None, timeout: int, allow_errors: bool):
    from nbclient import NotebookClient

    name = kernel_name or nb.metadata.get("kernelspec", {}).get("name") or DEFAULT_KERNEL
    client = NotebookClient(
        nb,
        kernel_name=name,
        timeout=timeout,
        startup_timeout=120,
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(notebook_path.parent)}},
    )
    client.execute()
    return nb


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def without_widget_views(nb):
    """A copy of ``nb`` whose outputs keep only the static fallbacks of widget views (no widget manager offline)."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data and len(data) > 1:
                del data[WIDGET_VIEW]
    return nb


def export(nb, keep_solutions: bool = False, name: str = "handout", template: str = OFFLINE_TEMPLATE) -> str:
    """HTML of ``nb`` through ``template``, a Jinja source extending the lab template."""
    import jinja2
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = set() if keep_solutions else {SOLUTION_TAG}
    c.TagRemovePreprocessor.remove_cell_tags |= {"remove-cell", "remove_cell"}
    c.TagRemovePreprocessor.remove_input_tags = {"remove-input", "remove_input"}
    c.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output", "remove_output"}
    exporter = HTMLExporter(
        config=c,
        template_name="lab",
        theme="light",
        embed_images=True,
        extra_loaders=[jinja2.DictLoader({"handout.html.j2": template})],
        template_file="handout.html.j2",
    )
    html, _ = exporter.from_notebook_node(without_widget_views(nb), resources={"metadata": {"name": name}})  # <title>
    return html


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebook", type=Path)
    ap.add_argument("-o", "--output", type=Path, help="output file (default: NOTEBOOK with .html)")
    ap.add_argument("--execute", action="store_true", help="run the notebook (nbclient) before exporting")
    ap.add_argument("--keep-solutions", action="store_true", help=f"keep cells tagged '{SOLUTION_TAG}'")
    ap.add_argument("--kernel", help="kernelspec for --execute (default: the notebook's, else serverlab)")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per cell for --execute (default 600)")
    ap.add_argument("--allow-errors", action="store_true", help="with --execute: keep going past error outputs")
    ap.add_argument("--quick", action="store_true", help="with --execute: set SERVERLAB_QUICK=1 for the kernel")
    args = ap.parse_args(argv)

    import nbformat

    if not args.notebook.is_file():
        ap.error(f"{args.notebook}: no such notebook")
    nb = nbformat.read(str(args.notebook), as_version=4)
    if args.execute:
        if args.quick:
            os.environ["SERVERLAB_QUICK"] = "1"
        try:
            execute(nb, args.notebook.resolve(), args.kernel, args.timeout, args.allow_errors)
        except Exception as e:  # CellExecutionError, timeout, dead kernel, missing kernelspec
            print(f"handout: executing {args.notebook} failed:\n{e}", file=sys.stderr)
            return 1
    html = export(nb, keep_solutions=args.keep_solutions, name=args.notebook.stem)

    out = args.output or args.notebook.with_suffix(".html")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")

    refs = remote_references(html)
    fetched = fetched_at_view_time(refs)
    links = [u for t, u in refs if t == "a"]
    print(f"handout: wrote {out} ({len(html) / 1024:.0f} KiB)", file=sys.stderr)
    if fetched:
        print("handout: WARNING, the page still loads from the network:", file=sys.stderr)
        for tag, url in fetched:
            print(f"  <{tag}> {url}", file=sys.stderr)
    if links:
        print(f"handout: {len(links)} external hyperlink(s) (followed only if clicked)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
