"""1. execute: streams, live output, execute_result, execution_count, silent, store_history."""
import time


def test_stdout_stream(run):
    ex = run('System.out.println("hello out");').ok()
    assert "hello out\n" in ex.stdout, ex.describe()
    assert "hello out" not in ex.stderr


def test_stderr_stream(run):
    ex = run('System.err.println("hello err");').ok()
    assert "hello err\n" in ex.stderr, ex.describe()
    assert "hello err" not in ex.stdout


def test_output_is_live_and_in_order(kernel):
    code = ('for (int i = 0; i < 15; i++) {\n'
            '    System.out.println("line " + i);\n'
            '    Thread.sleep(200);\n'
            '}')
    ex = kernel.run(code, timeout=30).ok()
    lines = ex.stdout.splitlines()
    assert lines == [f"line {i}" for i in range(15)], ex.describe()
    stream_times = [t - ex.sent_at for m, t in zip(ex.messages, ex.arrivals)
                    if m["header"]["msg_type"] == "stream"]
    reply = ex.reply_at - ex.sent_at
    assert stream_times[0] < 1.5, f"first line arrived {stream_times[0]:.2f}s after the request (reply at {reply:.2f}s)"
    assert stream_times[0] < reply - 1.0, f"first line {stream_times[0]:.2f}s, reply {reply:.2f}s: not well before the reply"
    # spread over the ~3 s run, not one burst at the end
    assert len(stream_times) >= 5, f"only {len(stream_times)} stream messages for 15 lines printed over 3 s"
    assert stream_times[-1] - stream_times[0] > 1.5, f"stream arrivals {stream_times} are bunched"
    # and no line arrived after the reply-time burst: check the midpoint has output
    assert any(1.0 < t < 2.5 for t in stream_times), f"no output in the middle of the run: {stream_times}"


def test_execute_result_int(run):
    ex = run("1 + 1").ok()
    assert ex.text == "2", ex.describe()


def test_execute_result_string_is_quoted(run):
    ex = run('"hi"').ok()
    assert ex.text == '"hi"', ex.describe()


def test_statement_has_no_result(run):
    ex = run("int unusedStmt = 3;").ok()
    # a declaration may or may not echo; but text/plain must be there if a result is published
    if ex.result is not None:
        assert "text/plain" in ex.result


def test_execution_count_increments(run):
    a = run("1").ok().execution_count
    b = run("2").ok().execution_count
    assert isinstance(a, int) and b == a + 1
    # execute_input and execute_result carry the same count
    ex = run("3").ok()
    assert ex.execution_count == b + 1
    assert ex.of_type("execute_result")[0]["content"]["execution_count"] == ex.execution_count
    inputs = ex.of_type("execute_input")
    assert inputs and inputs[0]["content"]["execution_count"] == ex.execution_count


def test_silent_publishes_only_status_and_keeps_count(run):
    before = run("10").ok().execution_count
    ex = run('System.out.println("should not show"); 42', silent=True)
    assert ex.status == "ok", ex.describe()
    kinds = {m["header"]["msg_type"] for m in ex.messages}
    assert kinds <= {"status"}, f"silent execution published {kinds}\n" + ex.describe()
    after = run("11").ok().execution_count
    assert after == before + 1, f"silent cell changed the count: {before} -> {after}"


def test_silent_still_executes(run):
    run("int silentSide = 5;", silent=True)
    assert run("silentSide").ok().text == "5"


def test_store_history_false_keeps_count(run):
    before = run("20").ok().execution_count
    ex = run("21", store_history=False)
    assert ex.status == "ok", ex.describe()
    after = run("22").ok().execution_count
    assert after == before + 1, f"store_history=False changed the count: {before} -> {after}"


def test_execute_input_echoes_code(run):
    ex = run("int echoMe = 1;").ok()
    inputs = ex.of_type("execute_input")
    assert inputs and inputs[0]["content"]["code"] == "int echoMe = 1;"
