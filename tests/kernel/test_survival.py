"""12. the kernel survives OutOfMemoryError, StackOverflowError and System.exit."""


def test_out_of_memory(run, kernel):
    run("int aliveMarker = 1;").ok()
    ex = run("new long[Integer.MAX_VALUE - 16]", timeout=60)
    assert ex.status == "error", ex.describe()
    assert "OutOfMemoryError" in ex.all_output_text(), ex.describe()
    assert kernel.is_alive()
    assert run("aliveMarker").ok().text == "1"


def test_stack_overflow(run, kernel):
    run("int f(int n) { return f(n + 1) + 1; }").ok()
    ex = run("f(0)", timeout=60)
    assert ex.status == "error", ex.describe()
    assert "StackOverflowError" in ex.all_output_text(), ex.describe()
    assert kernel.is_alive()
    assert run("2 + 2").ok().text == "4"


def test_system_exit_is_refused(fresh_kernel):
    fresh_kernel.run("int beforeExit = 9;").ok()
    pid = fresh_kernel.pid
    ex = fresh_kernel.run("System.exit(3);", timeout=30)
    assert ex.status == "error", ex.describe()
    assert fresh_kernel.is_alive(), "the kernel process exited"
    assert fresh_kernel.pid == pid
    assert fresh_kernel.run("beforeExit").ok().text == "9"


def test_runtime_halt_is_refused_or_survived(fresh_kernel):
    # Runtime.exit goes through the same path as System.exit
    ex = fresh_kernel.run("Runtime.getRuntime().exit(4);", timeout=30)
    assert ex.status == "error", ex.describe()
    assert fresh_kernel.is_alive()
    assert fresh_kernel.run("5").ok().text == "5"
