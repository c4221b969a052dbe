"""./handouts: student and instructor editions and the offline book site, built once for this module.

The build is the real one (./handouts, scripts/editions.py) on two chapters: 00-welcome, executed in quick mode
(or its executed copy from .lab/executed when ./test's notebooks part left a current one), and a small chapter
whose executed copy is given with --executed (so no kernel runs for it), with a solution, a chart and a widget
output carrying an image fallback. Solution text is searched by content in every student file; the book is
clicked through offline in Chromium.
Run: .venv/bin/python -m pytest -q tests/handout/test_editions.py
"""
from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from browser.conftest import REPO, kernel_display_name
from handout.test_handout import PNG_B64, executable_notebook, network_loads, offline_page

sys.path.insert(0, str(REPO / "scripts"))
import editions  # noqa: E402

WELCOME = REPO / "notebooks" / "00-welcome.ipynb"
STORED = "01-stored"
BINDER = "https://binder.example.org/v2/gh/course/serverlab/main"
HUB = "https://hub.example.edu/hub/user-redirect/"
SECRET = "// Solution. The stored chapter's answer is forty-two, because six times seven."
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def stored_chapter() -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """The chapter as committed (no outputs) and its executed copy."""
    v4 = nbformat.v4
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "serverlab", "display_name": "ServerLab (Java)", "language": "java"}
    nb.cells = [
        v4.new_markdown_cell("# 01 · Stored chapter\n\nA chapter whose outputs were recorded.\n\n"
                             "## Throughput of the stored server\n\nThe chart below shows it."),
        v4.new_code_cell('System.out.println("measured " + 1234 + " requests/s");'),
        v4.new_code_cell("Charts.throughput(run)"),
        v4.new_markdown_cell("## Exercise\n\nPredict the answer. [The welcome](00-welcome.ipynb#How-to-use-it) "
                             "says how; [the server's source](../servers/Stored.java) and "
                             "[chapter 09](09-unbuilt.ipynb) are not in the book."),
        v4.new_code_cell("int answer = 0;   // your prediction"),
        v4.new_code_cell(f"{SECRET}\nanswer = 6 * 7;   // the product of the two dice in the example",
                         metadata={"tags": ["solution"], "jupyter": {"source_hidden": True}}),
        v4.new_code_cell("explorer.show()"),
    ]
    executed = nbformat.from_dict(json.loads(json.dumps(nb)))
    executed.cells[1].outputs = [v4.new_output("stream", name="stdout", text="measured 1234 requests/s\n")]
    executed.cells[2].outputs = [v4.new_output("execute_result", execution_count=3,
                                               data={"image/png": PNG_B64, "text/plain": "XYChart"})]
    executed.cells[5].outputs = [v4.new_output("stream", name="stdout", text="SOLUTION OUTPUT 42\n")]
    executed.cells[6].outputs = [v4.new_output("display_data", data={
        WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": "abc"},
        "image/png": PNG_B64, "text/plain": "server explorer"})]
    return nb, executed


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(output dir, [source chapter paths]) of one ./handouts run."""
    kernel_display_name()  # skips when the serverlab kernelspec is missing
    base = tmp_path_factory.mktemp("editions")
    src, cache = base / "src", base / "executed"
    src.mkdir()
    cache.mkdir()
    committed, executed = stored_chapter()
    nbformat.write(committed, str(src / f"{STORED}.ipynb"))
    nbformat.write(executed, str(cache / f"{STORED}.ipynb"))
    out = base / "out"
    chapters = [WELCOME, src / f"{STORED}.ipynb"]
    p = subprocess.run([str(REPO / "handouts"), "-o", str(out), "--executed", str(cache),
                        "--executed", str(REPO / ".lab" / "executed"), "--binder", BINDER, "--hub", HUB,
                        *map(str, chapters)], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, f"./handouts failed ({p.returncode}):\n{p.stdout}\n{p.stderr[-4000:]}"
    return out, chapters


# --------------------------------------------------------------------------- reading what was built


def decoded(path: Path) -> str:
    """The file's text as a reader meets it: a notebook's sources and outputs, a script's string literals."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        nb = nbformat.reads(raw, as_version=4)
        parts = []
        for cell in nb.cells:
            parts.append(cell.source)
            for out in cell.get("outputs", []):
                parts += [out.get("text", ""), out.get("evalue", ""), *out.get("traceback", [])]
                parts += [v for v in out.get("data", {}).values() if isinstance(v, str)]
        return "\n".join(parts)
    if path.suffix == ".js":
        return "\n".join(json.loads(s) for s in re.findall(r'"(?:[^"\\]|\\.)*"', raw))
    return raw


def words(path: Path) -> str:
    """decoded(path), whitespace collapsed; for a page, its text (highlighted code is one span per token)."""
    text = decoded(path)
    if path.suffix == ".html":
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return " ".join(text.split())


def solution_lines(chapter: Path) -> list[str]:
    """Lines of significant length of the chapter's solution cells that appear nowhere else in the chapter (not even
    inside a longer line: an exercise's skeleton may carry a solution's signature)."""
    nb = nbformat.read(str(chapter), as_version=4)
    elsewhere = " ".join(" ".join(c.source.split()) for c in nb.cells if not editions.is_solution(c))
    lines = (" ".join(ln.split()) for c in nb.cells if editions.is_solution(c) for ln in c.source.splitlines())
    return [ln for ln in lines if len(ln) >= 25 and ln not in elsewhere]


def edition_files(out: Path, edition: str, stem: str) -> list[Path]:
    return [out / edition / f"{stem}.ipynb", out / edition / f"{stem}.html", out / edition / "book" / f"{stem}.html"]


def images(nb, with_solutions: bool = True) -> int:
    """Charts in the outputs: image outputs, and the images inlined in a widget's static HTML fallback."""
    return sum(1 if any(k in o.get("data", {}) for k in editions.IMAGE_TYPES)
               else len(editions.INLINED_IMAGE.findall(str(o.get("data", {}).get("text/html", ""))))
               for c in nb.cells if with_solutions or not editions.is_solution(c) for o in c.get("outputs", []))


# --------------------------------------------------------------------------- files


def test_every_chapter_has_both_editions_and_its_book_pages(built):
    out, chapters = built
    assert (out / "index.html").is_file()
    for edition in editions.EDITIONS:
        for name in ("index.html", "book.css", "search.js"):
            assert (out / edition / "book" / name).is_file(), f"{edition}/book/{name} missing"
        for ch in chapters:
            for f in edition_files(out, edition, ch.stem):
                assert f.is_file() and f.stat().st_size > 0, f"{f.relative_to(out)} missing"


def test_the_real_chapter_has_solutions_to_look_for():
    assert len(solution_lines(WELCOME)) >= 3, "00-welcome has no solution text: the leak tests would prove nothing"


def test_no_student_file_contains_solution_text(built):
    out, chapters = built
    secrets = [ln for ch in chapters for ln in solution_lines(ch)] + ["SOLUTION OUTPUT 42"]
    student = [f for f in (out / "student").rglob("*") if f.is_file() and f.suffix in (".ipynb", ".html", ".js")]
    assert len(student) == 3 * len(chapters) + 2
    for f in student:
        text = words(f)
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{f.relative_to(out)} contains solution text: {leaked[:3]}"


def test_instructor_files_contain_the_solutions(built):
    out, chapters = built
    for ch in chapters:
        for f in edition_files(out, "instructor", ch.stem):
            text = words(f)
            missing = [s for s in solution_lines(ch) if s not in text]
            assert not missing, f"{f.relative_to(out)} lacks solution text: {missing[:3]}"
    assert "SOLUTION OUTPUT 42" in words(out / "instructor" / f"{STORED}.html")


def test_student_notebook_keeps_charts_only(built):
    out, chapters = built
    for ch in chapters:
        instructor = nbformat.read(str(out / "instructor" / f"{ch.stem}.ipynb"), as_version=4)
        student = nbformat.read(str(out / "student" / f"{ch.stem}.ipynb"), as_version=4)
        assert not any(editions.is_solution(c) for c in student.cells)
        assert [c.source for c in student.cells] == [c.source for c in instructor.cells if not editions.is_solution(c)]
        code = [c for c in student.cells if c.cell_type == "code"]
        assert all(c.execution_count is None for c in code)
        kept = [o for c in code for o in c.outputs]
        assert all(o.output_type == "display_data" and set(o.data) <= set(editions.IMAGE_TYPES) for o in kept), \
            f"{ch.stem}: a student output other than a chart: {[sorted(o.get('data', o)) for o in kept][:3]}"
        assert len(kept) == images(instructor, with_solutions=False) > 0, f"{ch.stem}: charts lost"
    assert "measured 1234" not in decoded(out / "student" / f"{STORED}.ipynb")


def test_widget_outputs_show_their_fallback(built):
    out, _ = built
    for edition in editions.EDITIONS:
        page = (out / edition / "book" / f"{STORED}.html").read_text(encoding="utf-8")
        assert WIDGET_VIEW not in page
        assert page.count(f"data:image/png;base64,{PNG_B64}") == 2, "the chart and the widget's fallback image"


def test_nothing_loads_from_the_network(built):
    out, _ = built
    files = [f for f in out.rglob("*") if f.is_file() and "executed-" not in str(f)]
    assert len(files) > 10
    for f in files:
        loads = network_loads(decoded(f))
        assert loads == [], f"{f.relative_to(out)} loads from the network: {loads[:3]}"


def test_book_links_resolve_and_navigation_follows_chapter_order(built):
    out, chapters = built
    stems = [c.stem for c in chapters]
    pages = [out / "index.html"] + [f for e in editions.EDITIONS for f in (out / e / "book").glob("*.html")]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for ref in re.findall(r'<(?:a|link|script|img)\b[^>]*?\b(?:href|src)="([^"]+)"', text):
            ref = html.unescape(ref)
            if re.match(r"(?:https?:|data:|mailto:)", ref):
                continue
            target, _, fragment = ref.partition("#")
            target_file = (page.parent / target).resolve() if target else page
            assert target_file.is_file(), f"{page.relative_to(out)}: link to missing {ref}"
            if fragment and target_file.suffix == ".html":
                assert f'id="{fragment}"' in target_file.read_text(encoding="utf-8"), \
                    f"{page.relative_to(out)}: no #{fragment} in {target}"
    for edition in editions.EDITIONS:
        book = out / edition / "book"
        for i, stem in enumerate(stems):
            text = (book / f"{stem}.html").read_text(encoding="utf-8")
            nexts = re.findall(r'class="book-next" href="([^"]+)"', text)
            prevs = re.findall(r'class="book-prev" href="([^"]+)"', text)
            assert nexts == ([f"{stems[i + 1]}.html"] * 2 if i + 1 < len(stems) else []), f"{stem}: next {nexts}"
            assert prevs == ([f"{stems[i - 1]}.html"] * 2 if i > 0 else []), f"{stem}: prev {prevs}"
        index = (book / "index.html").read_text(encoding="utf-8")
        assert [s for s in re.findall(r'<li><a href="([^"#]+)\.html">', index)] == stems, "contents out of order"


def test_links_between_chapters_lead_to_their_pages(built):
    out, _ = built
    for page in (out / "student" / f"{STORED}.html", out / "student" / "book" / f"{STORED}.html"):
        text = page.read_text(encoding="utf-8")
        assert '<a href="00-welcome.html#How-to-use-it">The welcome</a>' in text
        assert "the server's source" in text and "Stored.java" not in text
        assert "chapter 09" in text and "09-unbuilt" not in text


def test_contents_link_each_chapter_to_binder_and_jupyterhub(built):
    out, chapters = built
    index = html.unescape((out / "student" / "book" / "index.html").read_text(encoding="utf-8"))
    for ch in chapters:
        assert f'href="{BINDER}?urlpath=lab/tree/notebooks/{ch.name}"' in index
        assert f'href="{HUB}lab/tree/notebooks/{ch.name}"' in index


def test_executed_copy_is_reused_only_while_the_chapter_is_unchanged(tmp_path):
    committed, executed = stored_chapter()
    nbformat.write(executed, str(tmp_path / "c.ipynb"))
    found, where = editions.find_executed(committed, "c.ipynb", [tmp_path / "elsewhere", tmp_path])
    assert found is not None and where == tmp_path / "c.ipynb"
    for change in ("source", "tags"):
        edited = nbformat.from_dict(json.loads(json.dumps(committed)))
        if change == "source":
            edited.cells[4].source = "int answer = 1;"
        else:
            edited.cells[5].metadata["tags"] = []
        assert editions.find_executed(edited, "c.ipynb", [tmp_path]) == (None, None), f"stale copy used ({change})"


def test_chapter_is_executed_once_then_its_copy_reused(tmp_path):
    """The kernel runs the chapter with its solutions (a later cell needs one), quick mode; a re-run reuses it."""
    kernel_display_name()
    nb = executable_notebook("// the solution: six times seven, as every reader knows")
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("# 05 · Executed chapter"))
    src = tmp_path / "05-executed.ipynb"
    nbformat.write(nb, str(src))
    out = tmp_path / "out"

    def run() -> str:
        p = subprocess.run([sys.executable, str(REPO / "scripts" / "editions.py"), "-o", str(out), str(src)],
                           capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stderr[-3000:]
        return p.stderr

    assert "executing (quick mode)" in run()
    assert (out / "executed-quick" / src.name).is_file()
    handout = words(out / "student" / "05-executed.html")
    assert "answer is 42, quick true" in handout and "six times seven" not in handout
    student = nbformat.read(str(out / "student" / src.name), as_version=4)
    assert images(student) == 1 and "six times seven" in words(out / "instructor" / "05-executed.html")
    assert "executed copy" in run()


# --------------------------------------------------------------------------- in the browser


def assert_rendered(page, min_images: int = 1):
    """The page shows its heading, every image is decoded, and book.css is in effect."""
    page.wait_for_load_state("load")
    assert page.locator("main h1").first.is_visible(), f"{page.url}: no heading shown"
    sizes = page.eval_on_selector_all("main img", "imgs => imgs.map(i => [i.complete, i.naturalWidth])")
    assert len(sizes) >= min_images and all(done and width > 0 for done, width in sizes), \
        f"{page.url}: images (loaded, width) {sizes}"
    font = page.evaluate("() => getComputedStyle(document.body).getPropertyValue('--jp-ui-font-family')")
    assert font.strip(), f"{page.url}: book.css not applied"


def test_book_reads_offline_in_chromium(built, tmp_path):
    """From the contents, the first chapter, then every next-link to the last: headings shown, images decoded."""
    out, chapters = built
    with offline_page() as page:
        for edition in editions.EDITIONS:
            page.goto((out / edition / "book" / "index.html").as_uri(), wait_until="load")
            assert page.locator("h1").first.is_visible()
            page.locator(".book-toc > li > a").first.click()
            visited = []
            while True:
                assert_rendered(page)
                visited.append(Path(page.url).stem)
                nxt = page.locator(".book-bar.top .book-next")
                if nxt.count() == 0:
                    break
                nxt.click()
            assert visited == [c.stem for c in chapters], f"{edition}: next-links visited {visited}"
            page.screenshot(path=str(tmp_path / f"{edition}-last.png"))

        # Search: a word from a heading of the second chapter, then its result.
        page.goto((out / "student" / "book" / "index.html").as_uri(), wait_until="load")
        page.fill(".book-search input", "stored server")
        result = page.locator(".book-results a").first
        assert result.inner_text() == "Throughput of the stored server"
        result.click()
        page.wait_for_load_state("load")
        assert page.url.endswith(f"{STORED}.html#Throughput-of-the-stored-server"), page.url
