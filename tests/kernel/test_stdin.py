"""stdin channel: System.in and input() in a cell ask the front end (input_request / input_reply)."""
import time

import pytest


def answer(kernel, code, replies, timeout=20):
    """Run `code` with allow_stdin, answer each input_request in turn; return (execution, requests)."""
    ex = kernel.send_execute(code, allow_stdin=True)
    requests = []
    for text in replies:
        msg = kernel.kc.get_stdin_msg(timeout=timeout)
        assert msg["header"]["msg_type"] == "input_request", msg
        assert msg["parent_header"]["msg_id"] == ex.msg_id, "input_request must name the cell's request as parent"
        requests.append(msg)
        kernel.kc.input(text)
    kernel.collect(ex, timeout)
    return ex, requests


def test_input_returns_the_typed_line(kernel):
    ex, requests = answer(kernel, 'String name = input("Name: "); System.out.println("hello " + name);', ["Ada"])
    ex.ok()
    assert requests[0]["content"] == {"prompt": "Name: ", "password": False}
    assert ex.stdout == "hello Ada\n"


def test_password_hides_typing(kernel):
    ex, requests = answer(kernel, 'password("Secret: ").length()', ["hunter2"])
    ex.ok()
    assert requests[0]["content"]["password"] is True
    assert ex.text == "7"


def test_scanner_on_system_in(kernel):
    ex, _ = answer(kernel, "var sc = new Scanner(System.in); int a = sc.nextInt(); sc.nextLine(); a * 2", ["21"])
    ex.ok()
    assert ex.text == "42"


def test_buffered_reader_asks_once_per_line(kernel):
    code = ("var in = new BufferedReader(new InputStreamReader(System.in));\n"
            "String first = in.readLine();\nString second = in.readLine();\nfirst + \"|\" + second")
    ex, requests = answer(kernel, code, ["one", "two"])
    ex.ok()
    assert len(requests) == 2
    assert ex.text == '"one|two"'


def test_printed_prompt_is_sent_before_the_input_request(kernel):
    kernel._drain()
    ex = kernel.send_execute('System.out.print("Age? "); new Scanner(System.in).nextLine()', allow_stdin=True)
    kernel.kc.get_stdin_msg(timeout=20)
    # The stream message left before the input_request: it is already on its way or here.
    seen = ""
    deadline = time.monotonic() + 5
    while "Age? " not in seen and time.monotonic() < deadline:
        try:
            m = kernel.kc.get_iopub_msg(timeout=0.5)
        except Exception:
            continue
        if m["parent_header"].get("msg_id") == ex.msg_id:
            ex.messages.append(m)
            if m["msg_type"] == "stream":
                seen += m["content"]["text"]
    assert "Age? " in seen, "the prompt printed before reading stdin did not arrive before input was asked"
    kernel.kc.input("30")
    kernel.collect(ex, 20)
    ex.ok()
    assert ex.text == '"30"'


def test_without_allow_stdin_reading_is_a_clear_error(kernel):
    ex = kernel.run('String s = input("x"); s', allow_stdin=False)
    assert ex.status == "error", ex.describe()
    assert "allow_stdin" in ex.traceback, ex.describe()
    kernel.run("int afterStdinError = 1;").ok()


def test_thread_of_a_finished_cell_cannot_ask(kernel):
    kernel.run("var bgRead = new CompletableFuture<String>();\n"
               "new Thread(() -> { try { Thread.sleep(300); System.in.read(); bgRead.complete(\"read\"); }"
               " catch (Exception e) { bgRead.complete(e.getMessage()); } }).start();").ok()
    ex = kernel.run("bgRead.get(10, TimeUnit.SECONDS)", allow_stdin=True)
    ex.ok()
    assert "finished" in ex.text, ex.describe()


def test_interrupt_while_waiting_for_input(kernel):
    ex = kernel.send_execute('String never = input("waiting: ");', allow_stdin=True)
    kernel.kc.get_stdin_msg(timeout=20)
    t_int = time.monotonic()
    kernel.km.interrupt_kernel()
    kernel.collect(ex, 20)
    assert ex.status == "error", ex.describe()
    assert "interrupt" in ex.error["ename"].lower(), ex.describe()
    assert ex.reply_at - t_int < 1.0
    # A late answer to the abandoned request must not be taken as the next cell's input.
    kernel.kc.input("stale")
    time.sleep(0.3)  # let it arrive; the kernel drops it before asking again (as ipykernel does)
    ex2, _ = answer(kernel, 'input("again: ")', ["fresh"])
    ex2.ok()
    assert ex2.text == '"fresh"'


def test_forged_input_reply_is_ignored(kernel):
    from jupyter_client.session import Session
    ex = kernel.send_execute('input("real or forged? ")', allow_stdin=True)
    kernel.kc.get_stdin_msg(timeout=20)
    forger = Session(key=b"not-the-connection-key", username="mallory")
    forger.send(kernel.kc.stdin_channel.socket, "input_reply", {"value": "forged"})
    time.sleep(0.2)
    kernel.kc.input("real")
    kernel.collect(ex, 20)
    ex.ok()
    assert ex.text == '"real"', ex.describe()
