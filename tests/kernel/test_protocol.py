"""13. protocol: reply status, comm_info, kernel_info, stop_on_error, shutdown."""
import time

import psutil
import pytest


def version_tuple(v: str):
    return tuple(int(p) for p in v.split(".") if p.isdigit())


def test_kernel_info(kernel):
    c = kernel.request("kernel_info")["content"]
    assert c.get("status") == "ok", c
    assert version_tuple(c["protocol_version"]) >= (5, 3), c["protocol_version"]
    li = c["language_info"]
    assert li["name"] == "java", li
    assert li.get("file_extension"), li
    assert c.get("implementation"), c
    assert c.get("banner") is not None, c


def test_comm_info(kernel):
    c = kernel.request("comm_info")["content"]
    assert c.get("status") == "ok", c
    assert isinstance(c.get("comms"), dict), c


@pytest.mark.parametrize("method,kw", [
    ("kernel_info", {}),
    ("comm_info", {}),
    ("complete", {"code": "Math.ab", "cursor_pos": 7}),
    ("inspect", {"code": "Math.abs", "cursor_pos": 8}),
    ("is_complete", {"code": "int a = 1;"}),
    ("history", {"hist_access_type": "tail", "n": 3}),
])
def test_every_shell_reply_has_status(kernel, method, kw):
    reply = kernel.request(method, **kw)
    allowed = ("complete", "incomplete", "invalid", "unknown") if method == "is_complete" else ("ok", "error")
    assert reply["content"].get("status") in allowed, (method, reply["content"])
    assert reply["header"]["msg_type"].endswith("_reply")


def test_execute_replies_have_status(run):
    assert run("1").status == "ok"
    assert run("throw new RuntimeException();").status == "error"


def test_stop_on_error_aborts_queued_cells(kernel):
    kernel.run("1").ok()
    first = kernel.send_execute('Thread.sleep(300); throw new RuntimeException("boom");')
    second = kernel.send_execute("int ran = 1;")
    third = kernel.send_execute("2")
    others = {second.msg_id: second, third.msg_id: third}
    kernel.collect(first, 30, others=others)
    kernel.collect(second, 30, others={first.msg_id: first, third.msg_id: third})
    kernel.collect(third, 30, others={first.msg_id: first, second.msg_id: second})
    assert first.status == "error", first.describe()
    assert "boom" in first.traceback or "boom" in str(first.error.get("evalue")), first.describe()
    assert second.status in ("aborted", "error"), second.describe()
    assert third.status in ("aborted", "error"), third.describe()
    assert kernel.run("ran").status == "error", "the cell queued after the error ran anyway"
    assert kernel.run("3").ok().text == "3"


def test_stop_on_error_false_runs_next(kernel):
    first = kernel.send_execute('throw new RuntimeException("boom2");', stop_on_error=False)
    second = kernel.send_execute("int ranAnyway = 1;")
    kernel.collect(first, 30, others={second.msg_id: second})
    kernel.collect(second, 30, others={first.msg_id: first})
    assert first.status == "error"
    assert second.status == "ok", second.describe()


def test_shutdown_exits_process(fresh_kernel):
    procs = fresh_kernel.processes()
    popen = fresh_kernel.km.provisioner.process
    t0 = time.monotonic()
    fresh_kernel.kc.shutdown()
    remaining = list(procs)
    while remaining and time.monotonic() - t0 < 3.0:
        popen.poll()  # reap the direct child so it does not linger as a zombie
        remaining = [p for p in remaining if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        time.sleep(0.05)
    assert not remaining, f"still running 3 s after shutdown_request: {[(p.pid, p.name()) for p in remaining]}"
