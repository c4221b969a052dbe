"""4. complete_request, inspect_request, is_complete_request."""


def test_complete_method(kernel):
    code = '"abc".toUpp'
    reply = kernel.request("complete", code=code, cursor_pos=len(code))
    c = reply["content"]
    assert c["status"] == "ok", c
    assert any(m.startswith("toUpperCase") for m in c["matches"]), c["matches"]
    assert 0 <= c["cursor_start"] <= c["cursor_end"] <= len(code), c
    assert c["cursor_end"] == len(code), c
    # the replaced span is the partial identifier (or starts at it)
    assert code[c["cursor_start"]:c["cursor_end"]] in ("toUpp", ""), (c["cursor_start"], c["cursor_end"])


def test_complete_variable(kernel):
    kernel.run("int completionTarget = 3;").ok()
    code = "completionTa"
    c = kernel.request("complete", code=code, cursor_pos=len(code))["content"]
    assert c["status"] == "ok"
    assert any(m.startswith("completionTarget") for m in c["matches"]), c["matches"]
    assert 0 <= c["cursor_start"] <= c["cursor_end"] <= len(code)


def test_complete_mid_cell(kernel):
    code = 'int q = 1;\nMath.ab\nint r = 2;'
    pos = code.index("Math.ab") + len("Math.ab")
    c = kernel.request("complete", code=code, cursor_pos=pos)["content"]
    assert c["status"] == "ok"
    assert any(m.startswith("abs") for m in c["matches"]), c["matches"]
    assert c["cursor_end"] == pos and 0 <= c["cursor_start"] <= pos


def test_complete_variable_declared_earlier_in_the_same_cell(kernel):
    code = 'var greeting = "abc";\ngreeting.toUpp'
    c = kernel.request("complete", code=code, cursor_pos=len(code))["content"]
    assert any(m.startswith("toUpperCase") for m in c["matches"]), c
    assert c["cursor_start"] == code.index("toUpp"), c


def test_complete_after_magic_and_method_in_the_same_cell(kernel):
    code = '%time 1+1\nvoid helperForCompletion() {}\nvar namesForCompletion = new ArrayList<String>();\nnamesForCompletion.stre'
    c = kernel.request("complete", code=code, cursor_pos=len(code))["content"]
    assert "stream()" in c["matches"], c


def test_completion_does_not_run_the_cell(kernel):
    code = 'System.out.println("SHOULD NOT PRINT");\nvar completionProbe = "x";\ncompletionProbe.isE'
    c = kernel.request("complete", code=code, cursor_pos=len(code))["content"]
    assert "isEmpty()" in c["matches"], c
    ex = kernel.run("completionProbe")
    assert ex.status == "error", "completion declared the cell's variable for real\n" + ex.describe()
    assert not any("SHOULD NOT PRINT" in m["content"].get("text", "") for m in kernel.stray), "completion ran the cell"


def test_inspect(kernel):
    code = "Math.max"
    c = kernel.request("inspect", code=code, cursor_pos=len(code))["content"]
    assert c["status"] == "ok", c
    assert c["found"] is True, c
    assert "max(" in c["data"]["text/plain"], c


def test_inspect_method_of_a_variable_declared_earlier_in_the_cell(kernel):
    code = 'var inspectedText = "abc";\ninspectedText.toUpperCase'
    c = kernel.request("inspect", code=code, cursor_pos=len(code))["content"]
    assert c["found"] is True, c
    assert "toUpperCase(" in c["data"]["text/plain"], c


def test_inspect_nothing(kernel):
    code = "   "
    c = kernel.request("inspect", code=code, cursor_pos=1)["content"]
    assert c["status"] == "ok", c
    assert c["found"] is False, c


def test_is_complete_complete(kernel):
    c = kernel.request("is_complete", code="int x = 1;")["content"]
    assert c["status"] == "complete", c


def test_is_complete_incomplete(kernel):
    c = kernel.request("is_complete", code="for (int i = 0; i < 3; i++) {")["content"]
    assert c["status"] == "incomplete", c
    assert c.get("indent"), f"incomplete without an indent hint: {c}"


def test_is_complete_invalid(kernel):
    c = kernel.request("is_complete", code=")))")["content"]
    assert c["status"] == "invalid", c
