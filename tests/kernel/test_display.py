"""8. display(...), updateDisplay(...), renderers: Tablesaw, XChart (PNG, SVG), BufferedImage."""
import re

from conftest import png_ok

TABLE = 'tech.tablesaw.api.Table.create("t", tech.tablesaw.api.IntColumn.create("n", new int[]{1,2,3}))'
CHART = 'org.knowm.xchart.QuickChart.getChart("T","x","y","s", new double[]{1,2}, new double[]{3,4})'


def test_display_returns_id_and_publishes_display_data(run):
    ex = run('String id = display("first");\nSystem.out.println(id);').ok()
    printed = ex.stdout.strip()
    assert printed, "display(...) returned an empty id\n" + ex.describe()
    shown = ex.displays
    assert len(shown) == 1, ex.describe()
    content = shown[0]["content"]
    assert "first" in content["data"]["text/plain"], content
    assert content.get("transient", {}).get("display_id") == printed, content

    ex = run('updateDisplay(id, "second");').ok()
    updates = ex.of_type("update_display_data")
    assert len(updates) == 1, ex.describe()
    u = updates[0]["content"]
    assert u["transient"]["display_id"] == printed, u
    assert "second" in u["data"]["text/plain"], u


def test_display_expression_returns_id(run):
    ex = run('display("as expression")').ok()
    assert ex.displays, ex.describe()
    did = ex.displays[0]["content"].get("transient", {}).get("display_id")
    assert did and ex.text and did in ex.text, ex.describe()


def test_tablesaw_table_html(run):
    ex = run(TABLE).ok()
    data = ex.result
    assert data and "<table" in data.get("text/html", ""), ex.describe()
    assert "text/plain" in data


def test_tablesaw_large_table_is_capped(run):
    ex = run('tech.tablesaw.api.Table.create("big", tech.tablesaw.api.IntColumn.create("n", '
             'java.util.stream.IntStream.range(0, 500).toArray()))').ok()
    html = ex.result.get("text/html", "")
    assert "<table" in html, ex.describe()
    body = html.split("<tbody", 1)[1] if "<tbody" in html else html
    shown = len(re.findall(r"<tr\b", body))
    assert 0 < shown < 500, f"{shown} rows rendered for a 500-row table"
    text = re.sub(r"<[^>]+>", " ", html)
    assert "rows" in text.lower(), "the table does not say rows are hidden"
    numbers = set(re.findall(r"\d[\d,]*", text.replace(",", "")))
    assert "500" in numbers or str(500 - shown) in numbers or str(500 - shown + 1) in numbers, \
        f"the table does not say how many rows are hidden ({shown} shown): {text[-300:]!r}"
    assert "text/plain" in ex.result


def test_xchart_png(run):
    ex = run(CHART).ok()
    data = ex.result
    assert data and "image/png" in data, ex.describe()
    assert png_ok(data["image/png"]), "image/png is not a base64 PNG"
    assert "text/plain" in data


def test_xchart_svg(run):
    ex = run(f'var chart = {CHART};\ndisplay(chart, "image/svg+xml");').ok()
    svgs = [m["content"]["data"] for m in ex.displays if "image/svg+xml" in m["content"]["data"]]
    assert svgs, ex.describe()
    assert "<svg" in svgs[0]["image/svg+xml"]
    assert "text/plain" in svgs[0]


def test_buffered_image_png(run):
    ex = run("var img = new java.awt.image.BufferedImage(20, 10, java.awt.image.BufferedImage.TYPE_INT_RGB);\nimg").ok()
    data = ex.result
    assert data and "image/png" in data, ex.describe()
    assert png_ok(data["image/png"])
    assert "text/plain" in data


def test_every_bundle_has_text_plain(run):
    for code in ["42", '"s"', "new int[]{1,2}", "java.util.List.of(1, 2)", "new Object()"]:
        ex = run(code).ok()
        assert ex.result and "text/plain" in ex.result, ex.describe()


def test_display_of_a_string_as_html_and_markdown(run):
    ex = run('display("<b>bold</b>", "text/html");\ndisplay("# Title\\n*emphasis*", "text/markdown");').ok()
    html, markdown = (d["content"]["data"] for d in ex.displays)
    assert html["text/html"] == "<b>bold</b>" and "text/plain" in html, html
    assert markdown["text/markdown"] == "# Title\n*emphasis*", markdown
    # a string without a type is still plain text, quoted as before
    assert set(run('display("<i>x</i>")').ok().displays[0]["content"]["data"]) == {"text/plain"}
