"""9. magics: %help, %time, %load, %classpath, %maven."""
import html
import re
import socket
import urllib.error
import urllib.request

import pytest


def test_help_lists_magics(run):
    ex = run("%help").ok()
    text = ex.all_output_text()
    for magic in ("%maven", "%classpath", "%load", "%time", "%help"):
        assert magic in text, f"{magic} missing from %help:\n{text}"


def test_time_prints_wall_time(run):
    ex = run("%time Thread.sleep(100)").ok()
    text = ex.all_output_text()
    m = re.search(r"wall time:?\s*([\d.]+)\s*(ns|µs|μs|us|ms|s)\b", text, re.I)
    assert m, f"no wall time in %time output:\n{text}"
    value, unit = float(m.group(1)), m.group(2)
    ms = value * {"ns": 1e-6, "µs": 1e-3, "μs": 1e-3, "us": 1e-3, "ms": 1, "s": 1000}[unit]
    assert 90 <= ms < 5000, f"%time Thread.sleep(100) reported {ms} ms"


def test_time_keeps_result_and_definitions(run):
    ex = run("%time int timedVar = 6 * 7;").ok()
    assert run("timedVar").ok().text == "42", ex.describe()


def test_load_file(run, tmp_path):
    f = tmp_path / "defs.jsh"
    f.write_text('int loadedValue = 99;\nString loadedGreet() {\n    return "loaded";\n}\n')
    run(f"%load {f}").ok()
    assert run("loadedValue").ok().text == "99"
    assert run("loadedGreet()").ok().text == '"loaded"'


def test_load_missing_file_is_an_error(run, tmp_path):
    ex = run(f"%load {tmp_path / 'nope.jsh'}")
    assert ex.status == "error", ex.describe()
    assert run("1 + 2").ok().text == "3"


def test_classpath_prints_entries(run):
    ex = run("%classpath").ok()
    text = ex.all_output_text()
    assert ".jar" in text or "/classes" in text, f"%classpath printed no entries:\n{text}"


def kernel_javac() -> str:
    """javac of the JDK the kernelspec runs (its argv[0] is .../bin/java), else $JAVA_HOME, else PATH."""
    import os
    import shutil
    from pathlib import Path

    from jupyter_client.kernelspec import KernelSpecManager
    from conftest import KERNEL_NAME
    java = Path(KernelSpecManager().get_kernel_spec(KERNEL_NAME).argv[0])
    for candidate in (java.parent / "javac", Path(os.environ.get("JAVA_HOME", "/nonexistent")) / "bin" / "javac"):
        if candidate.is_file():
            return str(candidate)
    return shutil.which("javac") or pytest.skip("no javac found to compile the test class")


def test_classpath_add_directory(run, tmp_path):
    # a class compiled outside the kernel becomes usable after %classpath <dir>
    import shutil
    import subprocess
    javac = kernel_javac()
    src = tmp_path / "cpdemo" / "Hello.java"
    src.parent.mkdir()
    src.write_text("package cpdemo; public class Hello { public static String hi() { return \"from dir\"; } }")
    out = tmp_path / "out"
    subprocess.run([javac, "--release", "21", "-d", str(out), str(src)], check=True, timeout=60)
    run(f"%classpath {out}").ok()
    assert run("cpdemo.Hello.hi()").ok().text == '"from dir"'


CENTRAL_PROBE = "https://repo.maven.apache.org/maven2/org/apache/commons/commons-lang3/3.14.0/commons-lang3-3.14.0.pom"


def central_unreachable_reason() -> str | None:
    """None when Maven Central serves a known POM; otherwise why not (used as the skip message)."""
    try:
        with urllib.request.urlopen(CENTRAL_PROBE, timeout=10) as r:
            return None if r.status == 200 else f"HTTP {r.status}"
    except urllib.error.HTTPError as e:
        return f"HTTP {e.code}"
    except (OSError, socket.timeout) as e:
        return f"{type(e).__name__}: {e}"


@pytest.mark.network
def test_maven_dependency(run):
    reason = central_unreachable_reason()
    if reason:
        pytest.skip(f"Maven Central is unreachable from this machine ({CENTRAL_PROBE}: {reason})")
    ex = run("%maven org.apache.commons:commons-lang3:3.14.0", timeout=240)
    assert ex.status == "ok", ex.describe()
    ex = run('org.apache.commons.lang3.StringUtils.reverse("abc")', timeout=60).ok()
    assert ex.text == '"cba"', ex.describe()


@pytest.mark.parametrize("magic, mime", [("%%html", "text/html"), ("%%markdown", "text/markdown"),
                                         ("%%javascript", "application/javascript"), ("%%js", "application/javascript"),
                                         ("%%latex", "text/latex"), ("%%svg", "image/svg+xml")])
def test_content_cell_magics_show_the_cell_as_that_type(run, magic, mime):
    body = "line one\nline <two>"
    ex = run(f"{magic}\n{body}").ok()
    assert len(ex.displays) == 1, ex.describe()
    assert ex.displays[0]["content"]["data"][mime] == body, ex.describe()


def test_unknown_cell_magic_is_an_error_that_names_the_known_ones(run):
    run("int keptAcrossBadMagic = 5;").ok()
    ex = run("%%htlm\n<b>x</b>")
    assert ex.status == "error" and "%%html" in ex.traceback, ex.describe()
    assert run("keptAcrossBadMagic").ok().text == "5"


def test_vars_lists_names_types_and_values(run):
    run('int varsCount = 42;\nString varsName = "server";\njava.util.List<Integer> varsList = java.util.List.of(1, 2);').ok()
    run("1 + 1").ok()   # an expression's value is shown, not stored as $1
    ex = run("%vars").ok()
    table = ex.result["text/html"]
    rows = {m.group(1): (html.unescape(m.group(2)), html.unescape(m.group(3))) for m in re.finditer(
        r"<tr><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>", table)}
    assert rows.get("varsCount") == ("int", "42"), rows
    assert rows.get("varsName") == ("String", '"server"'), rows
    assert rows.get("varsList") == ("java.util.List<Integer>", "[1, 2]"), rows
    assert not any(name.startswith("$") or name.startswith("serverlab") for name in rows), rows


@pytest.mark.parametrize("typed, expected", [("%va", "%vars"), ("%%ht", "%%html"), ("%%", "%%markdown"), ("%ma", "%maven")])
def test_magics_complete_on_tab(kernel, typed, expected):
    code = "int x = 1;\n" + typed
    c = kernel.request("complete", code=code, cursor_pos=len(code))["content"]
    assert expected in c["matches"], c
    assert c["cursor_start"] == code.index(typed) and c["cursor_end"] == len(code), c
    assert all(m.startswith(typed) for m in c["matches"]), c


def test_help_menu_link_says_what_it_points_to(kernel):
    links = kernel.request("kernel_info")["content"]["help_links"]
    assert any("JShell user guide" in link["text"] and "/jshell/" in link["url"] for link in links), links
