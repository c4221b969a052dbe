"""Every chapter of the workbook in both editions and in the book: every chart, and no solution for students.

One ./handouts run over notebooks/ for the module, reusing the executed copies tests/notebooks keeps in
.lab/executed/ (./test runs the notebooks part first); a chapter without a current one is executed, quick mode.
Run: .venv/bin/python -m pytest -q tests/handout/test_chapters.py
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import nbformat
import pytest

from browser.conftest import REPO, kernel_display_name
from handout.test_editions import (assert_rendered, decoded, edition_files, images, require_sphinx,
                                   solution_lines, words)
from handout.test_handout import network_loads, offline_page

CHAPTERS = sorted((REPO / "notebooks").glob("*.ipynb"))
EXECUTED = REPO / ".lab" / "executed"


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    kernel_display_name()  # skips when the serverlab kernelspec is missing
    require_sphinx()
    out = tmp_path_factory.mktemp("book")
    p = subprocess.run([str(REPO / "handouts"), "-o", str(out), "--executed", str(EXECUTED)],
                       capture_output=True, text=True, timeout=900 * len(CHAPTERS))
    assert p.returncode == 0, f"./handouts failed ({p.returncode}):\n{p.stdout}\n{p.stderr[-4000:]}"
    return out


def charts(out: Path, chapter: Path) -> int:
    """Charts of the chapter's run outside its solutions: what the student editions must all show."""
    return images(nbformat.read(str(out / "instructor" / f"{chapter.stem}.ipynb"), as_version=4),
                  with_solutions=False)


@pytest.mark.timeout(900 * len(CHAPTERS))
@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_editions_have_every_chart_and_students_no_solution(book: Path, chapter: Path):
    secrets = solution_lines(chapter)
    for f in edition_files(book, "student", chapter.stem):
        leaked = [s for s in secrets if s in words(f)]
        assert not leaked, f"{f.relative_to(book)}: solution text: {leaked[:3]}"
        assert network_loads(decoded(f)) == [], f"{f.relative_to(book)} fetches from the network"
    for f in edition_files(book, "instructor", chapter.stem):
        missing = [s for s in secrets if s not in words(f)]
        assert not missing, f"{f.relative_to(book)}: solution text missing: {missing[:3]}"
    expected = charts(book, chapter)
    assert expected > 0, f"{chapter.name}: the run drew no chart"
    handout = (book / "student" / f"{chapter.stem}.html").read_text(encoding="utf-8")
    embedded = len(re.findall(r'<img[^>]+src="data:image/(?:png|jpeg);base64,', handout))
    assert embedded == expected, f"{chapter.name}: {expected} charts in the run, {embedded} in the student handout"


@pytest.mark.timeout(900 * len(CHAPTERS))
def test_book_contents_lead_to_every_chapter_and_its_charts_render(book: Path):
    """Offline in Chromium: each entry of the student book's contents opens its chapter with every chart decoded."""
    index = (book / "student" / "book" / "index.html").as_uri()
    with offline_page() as page:
        for i, chapter in enumerate(CHAPTERS):
            page.goto(index, wait_until="load")
            page.locator(".toctree-wrapper li.toctree-l1 > a").nth(i).click()
            assert Path(page.url).stem == chapter.stem
            assert_rendered(page, min_images=charts(book, chapter))
