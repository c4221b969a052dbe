"""5. interrupt_request (interrupt_mode "message") stops CPU-bound loops, sleeps and spinning threads."""
import time

import pytest

INTERRUPT_REPLY_WITHIN = 1.0  # seconds from the interrupt to the execute_reply (contract)
IDLE_CPU_PERCENT = 50.0       # kernel CPU over 1 s after the interrupt (100 = one core)


def interrupt_after(kernel, code, delay=1.0):
    ex = kernel.send_execute(code)
    time.sleep(delay)
    t_int = time.monotonic()
    kernel.km.interrupt_kernel()
    kernel.collect(ex, timeout=30)
    return ex, t_int


def assert_interrupted(ex, t_int):
    assert ex.reply is not None, ex.describe()
    took = ex.reply_at - t_int
    assert ex.status == "error", "interrupted cell should end with status error\n" + ex.describe()
    ename = (ex.error or {}).get("ename", "")
    assert "interrupt" in ename.lower(), f"ename {ename!r} does not say Interrupt\n" + ex.describe()
    assert took < INTERRUPT_REPLY_WITHIN, f"execute_reply came {took:.2f}s after the interrupt"


def assert_cpu_idle(kernel):
    # A thread left spinning shows ~100% in every window; a JIT/GC blip shows in one at most.
    readings = []
    for _ in range(3):
        readings.append(kernel.cpu_percent(1.0))
        if readings[-1] < IDLE_CPU_PERCENT:
            return
    pytest.fail(f"kernel still busy after the interrupt: cpu% over 1 s windows = {readings}")


@pytest.fixture(scope="module")
def prepared(kernel):
    kernel.run("int keep = 42;").ok()
    return kernel


def test_interrupt_busy_loop(prepared):
    ex, t_int = interrupt_after(prepared, "while (true) {}")
    assert_interrupted(ex, t_int)
    assert prepared.run("keep").ok().text == "42"
    assert_cpu_idle(prepared)


def test_interrupt_busy_loop_in_method(prepared):
    prepared.run("long spin() { long n = 0; while (true) { n++; } }").ok()
    ex, t_int = interrupt_after(prepared, "spin()")
    assert_interrupted(ex, t_int)
    assert prepared.run("keep").ok().text == "42"
    assert_cpu_idle(prepared)


def test_interrupt_sleep(prepared):
    ex, t_int = interrupt_after(prepared, "Thread.sleep(600_000);")
    assert_interrupted(ex, t_int)
    assert prepared.run("keep").ok().text == "42"
    assert_cpu_idle(prepared)


def test_interrupt_output_loop(prepared):
    ex, t_int = interrupt_after(prepared, 'for (long i = 0; ; i++) { if (i % 1_000_000 == 0) System.out.println(i); }')
    assert_interrupted(ex, t_int)
    assert prepared.run("keep + 1").ok().text == "43"


def test_interrupt_when_idle_is_harmless(prepared):
    prepared.km.interrupt_kernel()
    time.sleep(0.3)
    assert prepared.run("keep").ok().text == "42"


def test_cells_after_interrupt_run_normally(prepared):
    ex, t_int = interrupt_after(prepared, "while (true) {}", delay=0.5)
    assert_interrupted(ex, t_int)
    ex = prepared.run('for (int i = 0; i < 3; i++) System.out.println("after " + i);').ok()
    assert ex.stdout == "after 0\nafter 1\nafter 2\n", ex.describe()


def test_interrupt_stops_spinning_background_thread(fresh_kernel):
    fresh_kernel.run("int keep = 42;").ok()
    ex, t_int = interrupt_after(fresh_kernel, "new Thread(() -> { while (true) {} }).start();\nThread.sleep(600_000);")
    assert_interrupted(ex, t_int)
    assert fresh_kernel.run("keep").ok().text == "42"
    assert_cpu_idle(fresh_kernel)
