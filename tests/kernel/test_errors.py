"""2 + 3. errors: compile errors, runtime exceptions with cell line numbers, state kept after errors."""
import re

WRAPPER_NAMES = ("$JShell$", "REPL.")
INTERNALS = ("serverlab.kernel", "jdk.jshell")


def test_compile_error(run):
    ex = run('int x = "s";')
    assert ex.status == "error", ex.describe()
    tb = ex.traceback
    assert '"s"' in tb or "int x" in tb, f"traceback does not show the offending code:\n{tb}"
    assert re.search(r"\bline\s*:?\s*1\b", tb, re.I), f"traceback does not name line 1:\n{tb}"
    assert ex.error.get("ename"), ex.describe()


def test_compile_error_on_second_line(run):
    ex = run('int okLine = 1;\nString bad = 42;')
    assert ex.status == "error", ex.describe()
    tb = ex.traceback
    assert "bad" in tb and re.search(r"\bline\s*:?\s*2\b", tb, re.I), f"traceback does not name line 2:\n{tb}"


def test_runtime_exception_names_cell_line(run):
    ex = run("int a = 1;\nint b = 0;\nint c = a / b;")
    assert ex.status == "error", ex.describe()
    assert "ArithmeticException" in ex.error["ename"], ex.describe()
    tb = ex.traceback
    assert re.search(r"\bline\s*:?\s*3\b", tb, re.I), f"no 'line 3' in traceback:\n{tb}"
    for name in WRAPPER_NAMES + INTERNALS:
        assert name not in tb, f"traceback leaks {name!r}:\n{tb}"


def test_runtime_exception_inside_a_multiline_statement_names_its_line(run):
    ex = run("int q = 0;\nfor (int i = 0; i < 3; i++) {\n    q += i;\n    int x = 1 / (i - 2);\n}")
    assert ex.status == "error", ex.describe()
    tb = ex.traceback
    assert re.search(r"\bline 4\b", tb), f"the division is on line 4; traceback:\n{tb}"


def test_compile_error_column_in_a_later_statement(run):
    ex = run("int fine = 1;\n\nString wrong = 42;")
    assert ex.status == "error", ex.describe()
    tb = ex.traceback
    assert "line 3, column 16" in tb, f"42 is at line 3, column 16; traceback:\n{tb}"


def test_error_reply_and_iopub_agree(run):
    ex = run("Integer.parseInt(\"nope\")")
    assert ex.status == "error"
    errs = ex.of_type("error")
    assert errs, "no iopub error message\n" + ex.describe()
    assert "NumberFormatException" in ex.content.get("ename", ""), ex.describe()
    assert ex.content.get("ename") == errs[0]["content"]["ename"]
    assert isinstance(ex.content.get("traceback"), list)


def test_exception_in_earlier_method_names_it(run):
    run("int divideBy(int n) {\n    return 100 / n;\n}").ok()
    ex = run("int r = 0;\ndivideBy(r)")
    assert ex.status == "error", ex.describe()
    tb = ex.traceback
    assert "divideBy" in tb, f"traceback does not name the method:\n{tb}"
    for name in WRAPPER_NAMES + INTERNALS:
        assert name not in tb, f"traceback leaks {name!r}:\n{tb}"


def test_lambda_frames_are_named_for_readers(run):
    ex = run("List.of(1, 2, 3).stream()\n    .map(x -> 10 / (x - 2))\n    .toList()")
    assert ex.status == "error", ex.describe()
    tb = ex.traceback
    assert re.search(r"at lambda \(line 2\)", tb), f"the lambda on line 2 is not named so:\n{tb}"
    assert "lambda$" not in tb, f"javac's synthetic lambda name leaks:\n{tb}"
    run("int inLambdaHelper(List<Integer> xs) {\n    return xs.stream().mapToInt(x -> 1 / x).sum();\n}").ok()
    tb = run("inLambdaHelper(List.of(0))").traceback
    assert "lambda in inLambdaHelper" in tb, tb


def test_state_survives_errors(run):
    ex = run("1/0")
    assert ex.status == "error", ex.describe()
    ex = run("int y = 5; y").ok()
    assert ex.text == "5", ex.describe()


def test_failed_declaration_does_not_break_later_cells(run):
    run("int before = 1;").ok()
    assert run("int broken = undefinedThing;").status == "error"
    assert run("before + 1").ok().text == "2"
