"""./handouts: student and instructor editions and their offline books (Sphinx), built once for this module.

The build is the real one (./handouts, scripts/editions.py, Sphinx with nbsphinx and sphinx-book-theme) on two
chapters: 00-welcome, executed in quick mode (or its executed copy from .lab/executed when ./test's notebooks
part left a current one), and a small chapter whose executed copy is given with --executed (so no kernel runs
for it), with a solution, a chart and a widget output carrying an image fallback. Solution text is searched by
content in every student file, the books' sources and search indexes included; the books are clicked through
offline in Chromium (contents, previous/next, search), every request to the network aborted.
Run: .venv/bin/python -m pytest -q tests/handout/test_editions.py
"""
from __future__ import annotations

import base64
import html
import json
import os
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
SECRET_WORD = "zyzzyva"  # in the solution only: the student book's search must not know it
PROSE_WORD = "kumquat"  # in the stored chapter's prose only: both books' search must find it
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def stored_chapter() -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """The chapter as committed (no outputs) and its executed copy."""
    v4 = nbformat.v4
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "serverlab", "display_name": "ServerLab (Java)", "language": "java"}
    nb.cells = [
        v4.new_markdown_cell("# 01 · Stored chapter\n\nA chapter whose outputs were recorded.\n\n"
                             f"## Throughput of the stored server\n\nThe {PROSE_WORD} chart below shows it."),
        v4.new_code_cell('System.out.println("measured " + 1234 + " requests/s");'),
        v4.new_code_cell("Charts.throughput(run)"),
        v4.new_markdown_cell("## Exercise\n\nPredict the answer. [The welcome](00-welcome.ipynb#How-to-use-it) "
                             "says how; [the server's source](../servers/Stored.java) and "
                             "[chapter 09](09-unbuilt.ipynb) are not in the book."),
        v4.new_code_cell("int answer = 0;   // your prediction"),
        v4.new_code_cell(f"{SECRET}\nanswer = 6 * 7;   // {SECRET_WORD}: the product of the two dice in the example",
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
    require_sphinx()
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


def require_sphinx():
    """Skip (not fail) when Debian's Sphinx stack is missing (./handouts then builds no book); CI installs it."""
    missing = editions.sphinx_missing()
    if missing:
        pytest.skip(missing)


# --------------------------------------------------------------------------- reading what was built


def decoded(path: Path) -> str:
    """The file's text as a reader meets it: a notebook's sources and outputs, a script with its string literals."""
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
    if path.suffix == ".js":  # e.g. searchindex.js, a JSON object
        return "\n".join([raw, *filter(None, map(json_string, re.findall(r'"(?:[^"\\\n]|\\.)*"', raw)))])
    return raw


def json_string(literal: str) -> str:
    try:
        value = json.loads(literal)
    except ValueError:
        return ""
    return value if isinstance(value, str) else ""


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


def book_pages(out: Path, edition: str) -> list[Path]:
    return sorted((out / edition / "book").glob("*.html"))


def test_every_chapter_has_both_editions_and_its_book_pages(built):
    out, chapters = built
    assert (out / "index.html").is_file()
    for edition in editions.EDITIONS:
        for name in ("index.html", "search.html", "searchindex.js", "_static/searchtools.js"):
            assert (out / edition / "book" / name).is_file(), f"{edition}/book/{name} missing"
        assert (out / "sphinx" / edition / "source" / "conf.py").is_file()
        assert not (out / edition / "book" / "_static" / "mathjax").exists(), "MathJax copied in without math"
        for ch in chapters:
            for f in edition_files(out, edition, ch.stem):
                assert f.is_file() and f.stat().st_size > 0, f"{f.relative_to(out)} missing"


def test_the_real_chapter_has_solutions_to_look_for():
    assert len(solution_lines(WELCOME)) >= 3, "00-welcome has no solution text: the leak tests would prove nothing"


TEXT_FILES = (".ipynb", ".html", ".js", ".css", ".py", ".rst", ".txt")


def student_files(out: Path) -> list[Path]:
    """Every text file of the student edition: notebooks, handouts, the book, and the book's Sphinx source."""
    return [f for d in (out / "student", out / "sphinx" / "student") for f in d.rglob("*")
            if f.is_file() and f.suffix in TEXT_FILES]


def test_no_student_file_contains_solution_text(built):
    out, chapters = built
    secrets = [ln for ch in chapters for ln in solution_lines(ch)] + ["SOLUTION OUTPUT 42", SECRET_WORD]
    files = student_files(out)
    for ch in chapters:
        for f in (*edition_files(out, "student", ch.stem), out / "sphinx" / "student" / "source" / ch.name):
            assert f in files, f"{f.relative_to(out)} not searched"
    assert out / "student" / "book" / "searchindex.js" in files
    for f in files:
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
    for f in (out / "instructor" / f"{STORED}.html", out / "instructor" / "book" / f"{STORED}.html"):
        assert "SOLUTION OUTPUT 42" in words(f), f"{f.relative_to(out)} lacks the solution's output"
    assert SECRET_WORD in decoded(out / "instructor" / "book" / "searchindex.js"), "the search test proves nothing"


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


def output_images(page: Path) -> list[bytes]:
    """The images of a book page's outputs (nbsphinx writes them to _images/, or keeps an HTML output's data URI)."""
    text = page.read_text(encoding="utf-8")
    found = []
    for output in re.split(r'<div class="nboutput', text)[1:]:
        output = output.split('<div class="nbinput', 1)[0]
        for src in re.findall(r'<img[^>]+src="([^"]+)"', output):
            src = html.unescape(src)
            found.append(base64.b64decode(src.split(",", 1)[1]) if src.startswith("data:")
                         else (page.parent / src).read_bytes())
    return found


def test_widget_outputs_show_their_fallback(built):
    out, _ = built
    for edition in editions.EDITIONS:
        page = out / edition / "book" / f"{STORED}.html"
        text = page.read_text(encoding="utf-8")
        assert WIDGET_VIEW not in text and "widget" not in words(page).lower(), f"{edition}: a widget in the page"
        assert output_images(page) == [base64.b64decode(PNG_B64)] * 2, "the chart and the widget's fallback image"


def test_nothing_loads_from_the_network(built):
    out, _ = built
    files = [f for f in out.rglob("*") if f.is_file() and f.suffix in TEXT_FILES and "executed-" not in str(f)]
    assert len([f for f in files if "_static" in f.parts and f.suffix == ".css"]) >= 4, "the theme's CSS not checked"
    for f in files:
        loads = network_loads(decoded(f))
        assert loads == [], f"{f.relative_to(out)} loads from the network: {loads[:3]}"


def test_book_links_resolve_and_navigation_follows_chapter_order(built):
    out, chapters = built
    stems = [c.stem for c in chapters]
    pages = [out / "index.html"] + [f for e in editions.EDITIONS for f in book_pages(out, e)]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for ref in re.findall(r'<(?:a|link|script|img)\b[^>]*?\b(?:href|src)=["\']([^"\']+)["\']', text):
            ref = html.unescape(ref)
            if re.match(r"(?:https?:|data:|mailto:)", ref) or ref == "#":
                continue
            target, _, fragment = ref.partition("#")
            target = target.split("?", 1)[0]  # _static/x.css?digest=...
            target_file = (page.parent / target).resolve() if target else page
            assert target_file.is_file(), f"{page.relative_to(out)}: link to missing {ref}"
            if fragment and target_file.suffix == ".html":
                assert f'id="{fragment}"' in target_file.read_text(encoding="utf-8"), \
                    f"{page.relative_to(out)}: no #{fragment} in {target}"
    order = ["index"] + stems  # the contents page, then the chapters
    for edition in editions.EDITIONS:
        book = out / edition / "book"
        for i, name in enumerate(order):
            text = (book / f"{name}.html").read_text(encoding="utf-8")
            nexts = re.findall(r"<a class='right-next' id=\"next-link\" href=\"([^\"]+)\"", text)
            prevs = re.findall(r"<a class='left-prev' id=\"prev-link\" href=\"([^\"]+)\"", text)
            assert nexts == ([f"{order[i + 1]}.html"] if i + 1 < len(order) else []), f"{name}: next {nexts}"
            assert prevs == ([f"{order[i - 1]}.html"] if i > 0 else []), f"{name}: prev {prevs}"
            sidebar = text.split('id="bd-docs-nav"', 1)[1].split("</nav>", 1)[0]
            assert re.findall(r'<a class="(?:current )?reference internal" href="([^"]+)">', sidebar) \
                == ["#" if n == name else f"{n}.html" for n in order], f"{name}: sidebar contents {sidebar[:500]}"
        index = (book / "index.html").read_text(encoding="utf-8")
        toc = index.split('class="toctree-wrapper', 1)[1]
        assert re.findall(r'<li class="toctree-l1"><a class="reference internal" href="([^"#]+)\.html">', toc) \
            == stems, "contents out of order"


def test_links_between_chapters_lead_to_their_pages(built):
    out, _ = built
    handout = (out / "student" / f"{STORED}.html").read_text(encoding="utf-8")
    assert '<a href="00-welcome.html#How-to-use-it">The welcome</a>' in handout
    page = (out / "student" / "book" / f"{STORED}.html").read_text(encoding="utf-8")
    welcome = re.findall(r'<a [^>]*href="00-welcome.html#How-to-use-it"[^>]*>(.*?)</a>', page, re.S)
    assert [re.sub(r"<[^>]+>", "", w) for w in welcome] == ["The welcome"], welcome
    for text in (handout, page.replace("’", "'")):  # Sphinx's smart quotes
        assert "the server's source" in text and "Stored.java" not in text
        assert "chapter 09" in text and "09-unbuilt" not in text


def test_chapter_pages_link_their_files_and_launch_on_binder_and_jupyterhub(built):
    out, chapters = built
    for edition in editions.EDITIONS:
        for ch in chapters:
            text = html.unescape((out / edition / "book" / f"{ch.stem}.html").read_text(encoding="utf-8"))
            assert re.findall(r'class="binder-button" href="([^"]+)"', text) \
                == [f"{BINDER}?urlpath=lab/tree/notebooks/{ch.name}"], f"{edition}/{ch.stem}: Binder"
            assert re.findall(r'class="jupyterhub-button" href="([^"]+)"', text) \
                == [f"{HUB}lab/tree/notebooks/{ch.name}"], f"{edition}/{ch.stem}: JupyterHub"
            assert f'href="../{ch.stem}.ipynb" download' in text and f'href="../{ch.stem}.html"' in text
        index = (out / edition / "book" / "index.html").read_text(encoding="utf-8")
        assert "binder-button" not in index and "jupyterhub-button" not in index


def test_math_loads_mathjax_from_the_book_itself(tmp_path):
    """A chapter with math: MathJax from Debian's libjs-mathjax, copied into the book, typesets it offline."""
    require_sphinx()
    if not editions.MATHJAX.is_dir():
        pytest.skip(f"{editions.MATHJAX} missing: apt-get install libjs-mathjax")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 09 · Queues\n\nLittle's law: $L = \\lambda W$, so\n\n"
                                              "$$\\rho = \\frac{\\lambda}{\\mu}$$")]
    nbformat.write(nb, str(tmp_path / "09-queues.ipynb"))
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, str(REPO / "scripts" / "editions.py"), "--no-execute", "-o", str(out),
                        str(tmp_path / "09-queues.ipynb")], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    book = out / "student" / "book"
    text = (book / "09-queues.html").read_text(encoding="utf-8")
    assert network_loads(text) == [] and '_static/mathjax/MathJax.js' in text
    with offline_page() as page:
        page.goto((book / "09-queues.html").as_uri(), wait_until="load")
        page.wait_for_function("() => document.querySelectorAll('.MathJax, .MathJax_Display').length >= 2")


def test_without_the_sphinx_stack_the_build_says_what_to_install(tmp_path):
    """The notebooks and handouts are built; one line names the Debian packages; no book."""
    committed, executed = stored_chapter()
    (tmp_path / "src").mkdir()
    (tmp_path / "executed").mkdir()
    nbformat.write(committed, str(tmp_path / "src" / f"{STORED}.ipynb"))
    nbformat.write(executed, str(tmp_path / "executed" / f"{STORED}.ipynb"))
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, str(REPO / "scripts" / "editions.py"), "-o", str(out), "--executed",
                        str(tmp_path / "executed"), str(tmp_path / "src" / f"{STORED}.ipynb")],
                       capture_output=True, text=True, timeout=300,
                       env={**os.environ, "SERVERLAB_SPHINX_PYTHON": sys.executable})  # the venv has no Sphinx
    assert p.returncode == 0, p.stderr[-3000:]
    said = [ln for ln in p.stderr.splitlines() if "apt-get install" in ln]
    assert len(said) == 1 and all(pkg in said[0] for pkg in editions.SPHINX_PACKAGES), p.stderr
    for edition in editions.EDITIONS:
        assert (out / edition / f"{STORED}.ipynb").is_file() and (out / edition / f"{STORED}.html").is_file()
        assert not (out / edition / "book").exists()
    assert "book/" not in (out / "index.html").read_text(encoding="utf-8")


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
    """The page shows its heading and the theme's sidebar, and every output image is decoded."""
    page.wait_for_load_state("load")
    assert page.locator("main h1").first.is_visible(), f"{page.url}: no heading shown"
    sizes = page.eval_on_selector_all(".nboutput img", "imgs => imgs.map(i => [i.complete, i.naturalWidth])")
    assert len(sizes) >= min_images and all(done and width > 0 for done, width in sizes), \
        f"{page.url}: output images (loaded, width) {sizes}"
    sidebar = page.locator("#site-navigation").bounding_box()
    assert sidebar and sidebar["width"] > 150 and page.locator("#bd-docs-nav").is_visible(), \
        f"{page.url}: the theme's sidebar is not shown (its CSS not applied?)"


def search(page, book: Path, query: str) -> list[str]:
    """Types the query in the sidebar's search box of the book's contents page; the results' links."""
    page.goto((book / "index.html").as_uri(), wait_until="load")
    page.fill("#search-input", query)
    page.press("#search-input", "Enter")
    page.wait_for_url(re.compile(r"/search\.html\?q="))
    summary = page.locator("#search-results p.search-summary")
    summary.wait_for()
    page.wait_for_function("() => !document.querySelector('#search-results p.search-summary')"
                           ".textContent.startsWith('Preparing')")
    page.wait_for_function("() => document.querySelector('#search-results p.search-summary').textContent.trim()")
    return page.eval_on_selector_all("#search-results ul.search li a", "as => as.map(a => a.getAttribute('href'))")


def test_book_reads_offline_in_chromium(built, tmp_path):
    """From the contents, the first chapter, then every next-link to the last and every previous-link back:
    headings and sidebar shown, output images decoded, launch buttons there; search finds a chapter's word and
    leads to it, and the student book's search does not know the solution's word."""
    out, chapters = built
    stems = [c.stem for c in chapters]
    with offline_page() as page:
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        for edition in editions.EDITIONS:
            book = out / edition / "book"
            page.goto((book / "index.html").as_uri(), wait_until="load")
            assert page.locator("h1").first.is_visible()
            page.locator(".toctree-wrapper li.toctree-l1 > a").first.click()
            visited = []
            while True:
                assert_rendered(page, min_images=2 if Path(page.url).stem == STORED else 0)
                visited.append(Path(page.url).stem)
                assert page.locator("a.binder-button").get_attribute("href").startswith(f"{BINDER}?urlpath=")
                nxt = page.locator("a.right-next")
                if nxt.count() == 0:
                    break
                nxt.click()
            assert visited == stems, f"{edition}: next-links visited {visited}"
            page.screenshot(path=str(tmp_path / f"{edition}-last.png"))
            while page.locator("a.left-prev").count():
                page.locator("a.left-prev").click()
                page.wait_for_load_state("load")
                visited.append(Path(page.url).stem)
            assert visited == stems + stems[-2::-1] + ["index"], f"{edition}: previous-links visited {visited}"

            # Search: a word of the stored chapter's prose, then its result.
            assert search(page, book, PROSE_WORD) == [f"{STORED}.html"], f"{edition}: search for {PROSE_WORD}"
            page.locator("#search-results ul.search li a").first.click()
            page.wait_for_load_state("load")
            assert Path(page.url.split("?")[0]).name == f"{STORED}.html", page.url
            assert page.locator("main h1").first.inner_text().startswith("01 · Stored chapter")
            page.screenshot(path=str(tmp_path / f"{edition}-search.png"))

            # The solution's word: the instructor book finds it, the student book knows nothing of it.
            found = search(page, book, SECRET_WORD)
            assert found == ([f"{STORED}.html"] if edition == "instructor" else []), f"{edition}: {found}"
        assert errors == [], f"errors in the pages: {errors[:5]}"
