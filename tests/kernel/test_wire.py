"""The wire: whole multipart messages, signatures checked in constant time and never replayed,
connection files without a signature scheme (the ipc transport: test_ipc.py). Each test sends what
a hostile or unusual client sends, straight onto the kernel's sockets."""
import socket
import time

import zmq
from jupyter_client.session import Session

from conftest import START_TIMEOUT
from standalone import standalone_kernel


def raw_shell(kernel):
    """A second client socket on the kernel's shell channel, for frames jupyter_client would never send."""
    info = kernel.km.get_connection_info()
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(f"{info['transport']}://{info['ip']}:{info['shell_port']}")
    return sock


def replies(sock, wait: float) -> list:
    got = []
    deadline = time.monotonic() + wait
    while (remaining := deadline - time.monotonic()) > 0:
        if sock.poll(int(remaining * 1000) + 1):
            got.append(sock.recv_multipart())
    return got


def test_truncated_message_does_not_swallow_the_next_request(kernel):
    sock = raw_shell(kernel)
    try:
        sock.send_multipart([b"<IDS|MSG>", b"", b'{"msg_type": "kernel_info_request"}'])
        time.sleep(0.2)
        reply = kernel.request("kernel_info", timeout=15)
        assert reply["content"]["status"] == "ok"
    finally:
        sock.close()


def test_replayed_message_is_answered_once(kernel):
    session = kernel.kc.session
    frames = session.serialize(session.msg("kernel_info_request", {}))
    sock = raw_shell(kernel)
    try:
        sock.send_multipart(frames)
        sock.send_multipart(frames)   # the same bytes again: an eavesdropper's replay
        assert len(replies(sock, 3)) == 1
    finally:
        sock.close()
    assert kernel.request("kernel_info", timeout=15)["content"]["status"] == "ok"


def test_badly_signed_request_behind_a_failing_cell_does_not_end_the_abort(kernel):
    kernel.run("1").ok()
    first = kernel.send_execute('Thread.sleep(1000); throw new RuntimeException("boom");')
    forger = Session(key=b"not-the-connection-key", username="mallory")
    forger.send(kernel.kc.shell_channel.socket, "execute_request",
                {"code": "1", "silent": False, "store_history": True, "user_expressions": {},
                 "allow_stdin": False, "stop_on_error": True})
    second = kernel.send_execute("int ranAfterForgery = 1;")
    kernel.collect(first, 30, others={second.msg_id: second})
    kernel.collect(second, 30, others={first.msg_id: first})
    assert first.status == "error", first.describe()
    assert second.status == "aborted", second.describe()


def free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def test_connection_file_without_signature_scheme_defaults_to_hmac_sha256(tmp_path):
    names = ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"]
    info = dict(zip(names, free_ports(len(names))), ip="127.0.0.1", transport="tcp", key="a-secret-key")
    # no "signature_scheme", as some launchers write it
    with standalone_kernel(info, tmp_path) as (process, kc):
        # (not wait_for_ready: without a KernelManager it takes a heartbeat not yet bound for a dead kernel)
        assert kc.kernel_info(reply=True, timeout=START_TIMEOUT)["content"]["status"] == "ok"
        assert kc.execute_interactive("1 + 1", timeout=30)["content"]["status"] == "ok"
        kc.shutdown()
        process.wait(timeout=20)
