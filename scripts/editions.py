#!/usr/bin/env python3
"""Build the student and instructor editions of the workbook and its book site (run by ./handouts).

    .venv/bin/python scripts/editions.py [-o build/handouts] [--full | --no-execute] [--executed DIR]...
                                         [--binder URL] [--hub URL] [--fresh] [NOTEBOOK ...]

Chapters: the NOTEBOOKs given, else every notebooks/*.ipynb, in file-name order (00-, 01-, ...).

Each chapter is executed once, with its solutions, by nbclient (kernel ``serverlab``, working directory the
notebook's folder), in quick mode (``SERVERLAB_QUICK=1``, about a minute a chapter) unless ``--full``. An
executed copy is reused instead when one whose cells (type, source, tags) equal the chapter's is found in a
``--executed`` directory or in OUT/executed-quick/ (OUT/executed-full/), where every run keeps its copies;
``--fresh`` ignores them. ``--no-execute`` takes the committed notebooks as they are (no outputs).

From the executed chapter, for each edition:
- the notebook: the instructor's is the executed chapter; the student's drops the cells tagged ``solution`` and
  clears every output except charts (image outputs, reduced to their images), so the prose that points at a
  chart still has it, and everything else is the student's to run;
- the handout: one self-contained HTML file (scripts/handout.py: CSS inlined, images as data URIs) showing
  every output of the cells the edition has;
- the book: book/index.html (table of contents with each chapter's sections and downloads) and one page per
  chapter with previous/next links and a search box; one shared book.css and search.js, nothing from the
  network. ``--binder``/``--hub`` add per-chapter launch links: the URL is followed by
  ``?urlpath=lab/tree/notebooks/NN.ipynb`` (Binder) or ``lab/tree/notebooks/NN.ipynb`` (JupyterHub).
In handouts and book pages, a link to another chapter's notebook leads to that chapter's page, and any other
relative link (a repository file, a chapter left out of the build) keeps only its text.

Layout of OUT: index.html (both editions), student/ and instructor/ each with NN.ipynb, NN.html and book/.
Exit status: 0 on success, 1 when a chapter fails to execute (every chapter is still tried, and the ones that
ran are kept for the next run), 2 on bad arguments.
"""
from __future__ import annotations

import argparse
import copy
import functools
import html
import importlib.util
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat


def _load_handout():
    """scripts/handout.py, by path: the name ``handout`` is also the tests' package (tests/handout)."""
    spec = importlib.util.spec_from_file_location("serverlab_handout", Path(__file__).with_name("handout.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_handout = _load_handout()
SOLUTION_TAG, execute, export = _handout.SOLUTION_TAG, _handout.execute, _handout.export

REPO = Path(__file__).resolve().parents[1]
EDITIONS = ("student", "instructor")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")
INLINED_IMAGE = re.compile(r'<img[^>]+src="data:(image/(?:png|jpeg));base64,([^"]+)"')
BOOK_TITLE = "ServerLab"

# A chapter page: the lab template with the shared stylesheet instead of inlined CSS; the navigation, which needs
# every chapter's title, replaces the markers once all pages are rendered.
PAGE_TEMPLATE = r"""
{%- extends 'index.html.j2' -%}
{%- block html_head -%}
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>@@BOOK-TITLE@@</title>
<link rel="stylesheet" href="book.css">
{%- endblock html_head -%}
{%- block body_header -%}
<body class="jp-Notebook book-page" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
<!-- book:header -->
<main>
{%- endblock body_header -%}
{%- block body_footer -%}
</main>
<!-- book:footer -->
<script src="search.js"></script>
</body>
{%- endblock body_footer -%}
"""

BOOK_CSS = """
/* The book's own parts; the JupyterLab light theme above styles the notebook content. */
body.book-page { padding: 0; margin: 0; }
body.book-page main { max-width: 1100px; margin: 0 auto; padding: 1em 2em 3em; }
.book-bar { display: flex; flex-wrap: wrap; gap: .6em 1.2em; align-items: center; padding: .6em 2em;
  background: #f3f5f7; border-bottom: 1px solid #d0d7de; font-family: var(--jp-ui-font-family); font-size: 14px; }
.book-bar.bottom { border-top: 1px solid #d0d7de; border-bottom: none; }
.book-bar a { color: #0b5cad; text-decoration: none; }
.book-bar a:hover { text-decoration: underline; }
.book-bar .book-home { font-weight: 600; }
.book-bar .book-edition { color: #57606a; }
.book-bar .book-spacer { flex: 1; }
.book-search { position: relative; }
.book-search input { width: 16em; padding: .25em .5em; font-size: 14px; }
.book-results { position: absolute; right: 0; z-index: 10; width: 28em; max-height: 60vh; overflow: auto;
  margin: .2em 0 0; padding: .3em 0; list-style: none; background: #fff; border: 1px solid #d0d7de;
  box-shadow: 0 4px 12px rgba(0,0,0,.12); }
.book-results:empty { display: none; }
.book-results li { padding: .3em .8em; }
.book-results li small { display: block; color: #57606a; }
.book-toc { font-family: var(--jp-content-font-family); font-size: 16px; line-height: 1.6; }
.book-toc > li { margin-bottom: 1em; }
.book-toc ul { font-size: 14px; }
.book-toc .book-links { font-size: 13px; color: #57606a; }
"""

# Search without a server: every page loads search.js, which holds the index (one entry per section).
SEARCH_JS = r"""
(function () {
  function search(words) {
    var hits = [];
    BOOK_INDEX.forEach(function (s) {
      var text = (s.heading + " " + s.text).toLowerCase(), score = 0;
      for (var i = 0; i < words.length; i++) {
        if (text.indexOf(words[i]) < 0) return;
        score += s.heading.toLowerCase().indexOf(words[i]) >= 0 ? 10 : 1;
      }
      hits.push({s: s, score: score});
    });
    return hits.sort(function (a, b) { return b.score - a.score; }).slice(0, 20);
  }
  function attach(box) {
    var input = box.querySelector("input"), list = box.querySelector("ol");
    input.addEventListener("input", function () {
      list.textContent = "";
      var words = input.value.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 1; });
      if (!words.length) return;
      var hits = search(words);
      if (!hits.length) { var none = document.createElement("li"); none.textContent = "No match"; list.appendChild(none); }
      hits.forEach(function (h) {
        var li = document.createElement("li"), a = document.createElement("a"), where = document.createElement("small");
        a.href = h.s.url; a.textContent = h.s.heading; where.textContent = h.s.chapter;
        li.appendChild(a); li.appendChild(where); list.appendChild(li);
      });
    });
  }
  document.querySelectorAll(".book-search").forEach(attach);
})();
"""

_HEADING = re.compile(r'<h([1-6])\b[^>]*\bid="([^"]*)"[^>]*>(.*?)</h\1>', re.S)
_TAG = re.compile(r"<[^>]+>")
_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)


def plain(fragment: str) -> str:
    """Text of an HTML fragment, whitespace collapsed (the anchor link's pilcrow dropped)."""
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).replace("¶", " ").split())


@dataclass
class Section:
    level: int
    anchor: str
    heading: str
    text: str


@dataclass
class Chapter:
    source: Path
    executed: nbformat.NotebookNode
    pages: dict[str, str] = field(default_factory=dict)  # edition -> book page, navigation still to fill in

    @property
    def stem(self) -> str:
        return self.source.stem

    def sections(self, edition: str) -> list[Section]:
        body = self.pages[edition]
        marks = list(_HEADING.finditer(body))
        return [Section(int(m.group(1)), m.group(2), plain(m.group(3)),
                        plain(body[m.end():marks[i + 1].start() if i + 1 < len(marks) else len(body)])[:3000])
                for i, m in enumerate(marks)]

    @functools.cached_property
    def title(self) -> str:
        """The chapter's first top-level heading (read once every page is rendered)."""
        heads = [s for s in self.sections("instructor") if s.level == 1]
        return heads[0].heading if heads else self.stem


# --------------------------------------------------------------------------- notebooks


def is_solution(cell) -> bool:
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def cell_signature(nb) -> list[tuple]:
    return [(c.cell_type, c.source, tuple(c.get("metadata", {}).get("tags", []))) for c in nb.cells]


def student_notebook(executed):
    """Solutions dropped; outputs cleared except charts, which keep only their image data."""
    nb = copy.deepcopy(executed)
    nb.metadata.pop("widgets", None)
    nb.cells = [c for c in nb.cells if not is_solution(c)]
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.execution_count = None
        charts = []
        for out in cell.outputs:
            data = {k: v for k, v in out.get("data", {}).items() if k in IMAGE_TYPES}
            if data:
                meta = {k: v for k, v in out.get("metadata", {}).items() if k in IMAGE_TYPES}
                charts.append(nbformat.v4.new_output("display_data", data=data, metadata=meta))
            else:  # a widget's static fallback (e.g. the server explorer's first run) carries its chart inlined
                for mime, b64 in INLINED_IMAGE.findall(str(out.get("data", {}).get("text/html", ""))):
                    charts.append(nbformat.v4.new_output("display_data", data={mime: b64}))
        cell.outputs = charts
    return nb


def find_executed(source_nb, name: str, dirs: list[Path]):
    """An executed copy of the chapter whose cells are the chapter's, or None."""
    for d in dirs:
        candidate = d / name
        if candidate.is_file():
            nb = nbformat.read(str(candidate), as_version=4)
            if cell_signature(nb) == cell_signature(source_nb):
                return nb, candidate
    return None, None


def executed_chapter(path: Path, args, cache: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(str(path), as_version=4)
    if not args.execute:
        return nb
    dirs = ([] if args.fresh else [cache, *args.executed])
    found, where = find_executed(nb, path.name, dirs)
    if found is not None:
        print(f"editions: {path.name}: executed copy {where}", file=sys.stderr)
        return found
    print(f"editions: {path.name}: executing ({'full' if args.full else 'quick'} mode) ...", file=sys.stderr)
    execute(nb, path.resolve(), args.kernel, args.timeout, allow_errors=False)
    cache.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(cache / path.name))
    return nb


# --------------------------------------------------------------------------- book

_LINK = re.compile(r'<a\b[^>]*?\bhref="([^"]*)"[^>]*>(.*?)</a>', re.S)
_CHAPTER_LINK = re.compile(r"(?:\./)?([\w.-]+)\.ipynb(#.*)?")


def relink(page: str, stems: set[str]) -> str:
    """A chapter's links to another chapter's notebook point at that chapter's page (handouts and book pages have
    the same names); any other relative link (a repository file, a chapter not built) keeps only its text."""
    def fix(m: re.Match) -> str:
        href = html.unescape(m.group(1))
        if href.startswith("#") or re.match(r"[a-zA-Z][\w+.-]*:", href):
            return m.group(0)
        chapter = _CHAPTER_LINK.fullmatch(href)
        if chapter and chapter.group(1) in stems:
            target = f"{chapter.group(1)}.html{chapter.group(2) or ''}"
            return m.group(0).replace(f'href="{m.group(1)}"', f'href="{html.escape(target)}"', 1)
        return m.group(2)
    return _LINK.sub(fix, page)



def launch_links(chapter: Chapter, args) -> list[tuple[str, str]]:
    tree = f"lab/tree/notebooks/{chapter.source.name}"
    links = []
    if args.binder:
        links.append(("launch on Binder", f"{args.binder}?urlpath={tree}"))
    if args.hub:
        links.append(("open in JupyterHub", f"{args.hub}{tree}"))
    return links


def link(href: str, text: str, cls: str = "") -> str:
    """An <a>; a notebook is offered as a download (a browser would show its JSON)."""
    attrs = (f' class="{cls}"' if cls else "") + (" download" if href.endswith(".ipynb") else "")
    return f'<a{attrs} href="{html.escape(href)}">{html.escape(text)}</a>'


def bar(edition: str, prev: Chapter | None, nxt: Chapter | None, position: str, search: bool = True) -> str:
    parts = [link("index.html", f"{BOOK_TITLE} · contents", "book-home"),
             f'<span class="book-edition">{edition} edition</span>']
    if prev:
        parts.append(link(f"{prev.stem}.html", f"← {prev.title}", "book-prev"))
    if nxt:
        parts.append(link(f"{nxt.stem}.html", f"{nxt.title} →", "book-next"))
    parts.append('<span class="book-spacer"></span>')
    if search:
        parts.append('<div class="book-search"><input type="search" placeholder="Search the book"'
                     ' aria-label="Search the book"><ol class="book-results"></ol></div>')
    return f'<nav class="book-bar {position}">' + "\n".join(parts) + "</nav>"


def book_css() -> str:
    """The JupyterLab CSS the standalone handouts inline, once, plus the book's own rules."""
    probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    styles = _STYLE.findall(export(probe, keep_solutions=True, name="css"))
    return "\n".join(styles) + BOOK_CSS


def index_page(edition: str, chapters: list[Chapter], args) -> str:
    items = []
    for ch in chapters:
        sections = "".join(f"<li>{link(f'{ch.stem}.html#{s.anchor}', s.heading)}</li>"
                           for s in ch.sections(edition) if s.level == 2)
        downloads = [link(f"../{ch.stem}.ipynb", "notebook"), link(f"../{ch.stem}.html", "handout")]
        downloads += [link(url, text) for text, url in launch_links(ch, args)]
        items.append(f"<li>{link(f'{ch.stem}.html', ch.title)}"
                     f'<div class="book-links">{" · ".join(downloads)}</div><ul>{sections}</ul></li>')
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8" />\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
            f"<title>{BOOK_TITLE} · {edition} edition</title>\n"
            f'<link rel="stylesheet" href="book.css">\n</head>\n'
            f'<body class="jp-Notebook book-page" data-jp-theme-light="true">\n'
            f"{bar(edition, None, chapters[0] if chapters else None, 'top')}\n<main>\n"
            f'<div class="jp-RenderedHTMLCommon"><h1>{BOOK_TITLE} workbook · {edition} edition</h1>\n'
            f'<ol class="book-toc">\n' + "\n".join(items) + "\n</ol></div>\n</main>\n"
            f'<script src="search.js"></script>\n</body>\n</html>\n')


def search_js(edition: str, chapters: list[Chapter]) -> str:
    entries = [{"chapter": ch.title, "heading": s.heading, "url": f"{ch.stem}.html#{s.anchor}", "text": s.text}
               for ch in chapters for s in ch.sections(edition)]
    return "const BOOK_INDEX = " + json.dumps(entries, ensure_ascii=False) + ";\n" + SEARCH_JS


def landing_page(chapters: list[Chapter]) -> str:
    rows = "\n".join(
        f"<tr><td>{html.escape(ch.title)}</td>"
        + "".join(f"<td>{link(f'{e}/{ch.stem}.ipynb', 'notebook')} · {link(f'{e}/{ch.stem}.html', 'handout')}"
                  f" · {link(f'{e}/book/{ch.stem}.html', 'book page')}</td>" for e in EDITIONS)
        + "</tr>" for ch in chapters)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8" />\n'
            f"<title>{BOOK_TITLE} · handouts</title>\n"
            "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}"
            "td,th{padding:.3em .8em;text-align:left;border-bottom:1px solid #ddd}</style>\n</head>\n<body>\n"
            f"<h1>{BOOK_TITLE} workbook: handouts</h1>\n<ul>\n"
            f"<li>{link('student/book/index.html', 'Student book')}: solutions left out</li>\n"
            f"<li>{link('instructor/book/index.html', 'Instructor book')}: with solutions</li>\n</ul>\n"
            "<table>\n<tr><th>chapter</th><th>student edition</th><th>instructor edition</th></tr>\n"
            f"{rows}\n</table>\n</body>\n</html>\n")


# --------------------------------------------------------------------------- build


def build(chapters: list[Chapter], out: Path, args) -> None:
    css = book_css()
    stems = {ch.stem for ch in chapters}
    for edition in EDITIONS:
        for ch in chapters:
            ch.pages[edition] = relink(export(ch.executed, keep_solutions=edition == "instructor", name=ch.stem,
                                              template=PAGE_TEMPLATE), stems)
    for edition in EDITIONS:
        keep = edition == "instructor"
        folder, book = out / edition, out / edition / "book"
        book.mkdir(parents=True, exist_ok=True)
        for i, ch in enumerate(chapters):
            notebook = ch.executed if keep else student_notebook(ch.executed)
            nbformat.write(notebook, str(folder / f"{ch.stem}.ipynb"))
            handout = relink(export(ch.executed, keep_solutions=keep, name=ch.stem), stems)
            (folder / f"{ch.stem}.html").write_text(handout, encoding="utf-8")
            prev = chapters[i - 1] if i > 0 else None
            nxt = chapters[i + 1] if i + 1 < len(chapters) else None
            page = (ch.pages[edition]
                    .replace("@@BOOK-TITLE@@", html.escape(f"{ch.title} · {BOOK_TITLE} ({edition} edition)"), 1)
                    .replace("<!-- book:header -->", bar(edition, prev, nxt, "top"), 1)
                    .replace("<!-- book:footer -->", bar(edition, prev, nxt, "bottom", search=False), 1))
            (book / f"{ch.stem}.html").write_text(page, encoding="utf-8")
        (book / "index.html").write_text(index_page(edition, chapters, args), encoding="utf-8")
        (book / "book.css").write_text(css, encoding="utf-8")
        (book / "search.js").write_text(search_js(edition, chapters), encoding="utf-8")
    (out / "index.html").write_text(landing_page(chapters), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="*", type=Path, help="chapters (default: notebooks/*.ipynb)")
    ap.add_argument("-o", "--output", type=Path, default=REPO / "build" / "handouts", help="default build/handouts")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--full", action="store_true", help="execute in full mode (recorded-run lengths; slow)")
    mode.add_argument("--no-execute", dest="execute", action="store_false",
                      help="use the notebooks as committed (no outputs)")
    ap.add_argument("--executed", type=Path, action="append", default=[],
                    help="a directory of executed copies to reuse when their cells match (repeatable)")
    ap.add_argument("--fresh", action="store_true", help="execute even when an executed copy matches")
    ap.add_argument("--binder", help="Binder launch URL prefix, e.g. https://mybinder.org/v2/gh/ORG/REPO/main")
    ap.add_argument("--hub", help="JupyterHub URL prefix, e.g. https://hub.example.edu/hub/user-redirect/")
    ap.add_argument("--kernel", help="kernelspec (default: the notebook's, else serverlab)")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per cell (default 900)")
    args = ap.parse_args(argv)

    paths = args.notebooks or sorted((REPO / "notebooks").glob("*.ipynb"))
    missing = [p for p in paths if not p.is_file()]
    if missing or not paths:
        ap.error(f"no such notebook: {', '.join(map(str, missing))}" if missing else "no chapters found")
    if len({p.stem for p in paths}) != len(paths):
        ap.error("two chapters with the same file name")
    if args.execute and not args.full:
        os.environ["SERVERLAB_QUICK"] = "1"
    elif args.full:
        os.environ.pop("SERVERLAB_QUICK", None)
    out = args.output
    cache = out / ("executed-full" if args.full else "executed-quick")
    chapters, failed = [], []
    for path in paths:  # every chapter, so that a re-run after a failure executes only the failed ones
        try:
            chapters.append(Chapter(path, executed_chapter(path, args, cache)))
        except Exception as e:  # CellExecutionError, timeout, dead kernel, missing kernelspec
            print(f"editions: executing {path} failed:\n{e}", file=sys.stderr)
            failed.append(path.name)
    if failed:
        print(f"editions: nothing built; failed: {', '.join(failed)} (the others are kept in {cache})",
              file=sys.stderr)
        return 1
    build(chapters, out, args)
    print(f"editions: {len(chapters)} chapters; open {out / 'index.html'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
