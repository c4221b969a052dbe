"""Every message of a scripted session checked against the Jupyter messaging spec (v5.3), field by field.

What an external conformance suite (jupyter_kernel_test and the like) validates: header fields and
their types, parent_header = the request's header, a dict of metadata, and each msg_type's content.
"""
import datetime

import pytest

SHELL_REQUESTS = [
    ("kernel_info", {}),
    ("comm_info", {}),
    ("complete", {"code": "Math.ab", "cursor_pos": 7}),
    ("inspect", {"code": "Math.abs", "cursor_pos": 8}),
    ("is_complete", {"code": "int a = 1;"}),
    ("is_complete", {"code": "for (int i = 0; i < 3; i++) {"}),
    ("is_complete", {"code": "int a = ;)"}),
    ("history", {"hist_access_type": "tail", "n": 3, "output": False, "raw": True}),
    ("history", {"hist_access_type": "range", "session": 0, "start": 1, "stop": 3, "output": False, "raw": True}),
    ("history", {"hist_access_type": "search", "pattern": "*", "n": 2, "unique": True, "output": False, "raw": True}),
]

CELLS = [
    "1 + 1",
    'System.out.println("out"); System.err.println("err");',
    'String did = display("a"); updateDisplay(did, "b");',
    'clearOutput(true); System.out.println("after clear");',
    "int x = 1 / 0;",
    "int y = ;",
    "String nothing = null;",
]


def is_str(v):
    return isinstance(v, str)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_fields(content, spec, where):
    for key, check in spec.items():
        assert key in content, f"{where}: missing {key!r} in {content}"
        assert check(content[key]), f"{where}: bad {key!r}: {content[key]!r}"


def mime_bundle(v):
    return isinstance(v, dict) and all(is_str(k) for k in v) and "text/plain" in v


CONTENT = {
    "status": {"execution_state": lambda v: v in ("busy", "idle", "starting")},
    "execute_input": {"code": is_str, "execution_count": is_int},
    "stream": {"name": lambda v: v in ("stdout", "stderr"), "text": is_str},
    "execute_result": {"execution_count": is_int, "data": mime_bundle, "metadata": lambda v: isinstance(v, dict)},
    "display_data": {"data": mime_bundle, "metadata": lambda v: isinstance(v, dict),
                     "transient": lambda v: isinstance(v, dict) and is_str(v.get("display_id"))},
    "update_display_data": {"data": mime_bundle, "metadata": lambda v: isinstance(v, dict),
                            "transient": lambda v: isinstance(v, dict) and is_str(v.get("display_id"))},
    "clear_output": {"wait": lambda v: isinstance(v, bool)},
    "error": {"ename": is_str, "evalue": is_str, "traceback": lambda v: isinstance(v, list) and all(map(is_str, v))},
    "kernel_info_reply": {
        "status": lambda v: v == "ok", "protocol_version": is_str, "implementation": is_str,
        "implementation_version": is_str, "banner": is_str,
        "help_links": lambda v: isinstance(v, list) and all(is_str(h.get("text")) and is_str(h.get("url")) for h in v),
        "language_info": lambda v: all(is_str(v.get(k)) for k in ("name", "version", "mimetype", "file_extension")),
    },
    "comm_info_reply": {"status": lambda v: v == "ok", "comms": lambda v: isinstance(v, dict)},
    "complete_reply": {"status": lambda v: v == "ok", "matches": lambda v: isinstance(v, list) and all(map(is_str, v)),
                       "cursor_start": is_int, "cursor_end": is_int, "metadata": lambda v: isinstance(v, dict)},
    "inspect_reply": {"status": lambda v: v == "ok", "found": lambda v: isinstance(v, bool),
                      "data": lambda v: isinstance(v, dict), "metadata": lambda v: isinstance(v, dict)},
    "is_complete_reply": {"status": lambda v: v in ("complete", "incomplete", "invalid", "unknown")},
    "history_reply": {"status": lambda v: v == "ok", "history": lambda v: isinstance(v, list) and all(
        isinstance(e, list) and len(e) == 3 and is_int(e[0]) and is_int(e[1]) for e in v)},
}

EXECUTE_REPLY_OK = {"status": lambda v: v == "ok", "execution_count": is_int,
                    "user_expressions": lambda v: isinstance(v, dict), "payload": lambda v: isinstance(v, list)}
EXECUTE_REPLY_ERROR = {"status": lambda v: v == "error", "execution_count": is_int, **CONTENT["error"]}


def check_message(msg, request_header=None):
    where = msg.get("msg_type", "?")
    header = msg["header"]
    for key in ("msg_id", "msg_type", "username", "session", "version"):
        assert is_str(header.get(key)), f"{where}: header.{key} = {header.get(key)!r}"
    assert header["version"].startswith("5."), header
    date = header.get("date")
    # jupyter_client turns a valid ISO 8601 date into a datetime; anything else stays a string.
    assert isinstance(date, datetime.datetime) and date.tzinfo is not None, f"{where}: header.date {date!r}"
    assert msg["msg_type"] == header["msg_type"]
    assert isinstance(msg["metadata"], dict), f"{where}: metadata {msg['metadata']!r}"
    if request_header is not None:
        assert msg["parent_header"].get("msg_id") == request_header["msg_id"], f"{where}: parent_header"
    content = msg["content"]
    if where == "execute_reply":
        check_fields(content, EXECUTE_REPLY_OK if content.get("status") == "ok" else EXECUTE_REPLY_ERROR, where)
    elif where == "is_complete_reply" and content.get("status") == "incomplete":
        check_fields(content, {"indent": is_str}, where)
    if where in CONTENT:
        check_fields(content, CONTENT[where], where)


@pytest.mark.parametrize("method,kw", SHELL_REQUESTS, ids=[f"{m}-{i}" for i, (m, _) in enumerate(SHELL_REQUESTS)])
def test_shell_reply_follows_the_spec(kernel, method, kw):
    kernel.run("int conformanceSeed = 1;").ok()  # something in the history
    reply = kernel.request(method, **kw)
    assert reply["msg_type"] == f"{method}_reply"
    check_message(reply)


@pytest.mark.parametrize("code", CELLS)
def test_every_execute_message_follows_the_spec(kernel, code):
    ex = kernel.run(code)
    request_id = ex.msg_id
    check_message(ex.reply, {"msg_id": request_id})
    types = [m["msg_type"] for m in ex.messages]
    assert types[0] == "status" and ex.messages[0]["content"]["execution_state"] == "busy", types
    assert types[-1] == "status" and ex.messages[-1]["content"]["execution_state"] == "idle", types
    assert "execute_input" in types, types
    for m in ex.messages:
        check_message(m, {"msg_id": request_id})
    if ex.status == "error":
        assert "error" in types, "an error reply needs its error message on iopub"
