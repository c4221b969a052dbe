"""11. output from threads goes to the cell that is running when it is printed, never to a later cell."""
import time

TICKER = ('new Thread(() -> {\n'
          '    for (int i = 0; i < 15; i++) {\n'
          '        System.out.println("tick");\n'
          '        try { Thread.sleep(100); } catch (InterruptedException e) { return; }\n'
          '    }\n'
          '}).start();')


def test_ticks_arrive_while_cell_runs(kernel):
    ex = kernel.run(TICKER + "\nThread.sleep(500);", timeout=30).ok()
    ticks = ex.stdout.count("tick")
    assert ticks >= 3, f"only {ticks} ticks reached the running cell\n" + ex.describe()
    time.sleep(1.3)  # let the thread finish before the next test
    kernel.wait_output_quiet()


def test_ticks_do_not_leak_into_next_cell(kernel):
    kernel.run(TICKER, timeout=30).ok()
    ex = kernel.run("Thread.sleep(800);", timeout=30).ok()
    assert "tick" not in ex.stdout and "tick" not in ex.stderr, \
        "background output leaked into a later cell\n" + ex.describe()
    time.sleep(1.0)
    kernel.wait_output_quiet()
    ex = kernel.run('System.out.println("clean");').ok()
    assert ex.stdout == "clean\n", ex.describe()


def test_background_log_is_private_and_deleted_at_exit(fresh_kernel):
    """The log holds whatever servers printed: 0600 in a 0700 per-user directory, gone when the kernel exits."""
    import os
    import re
    import stat
    fresh_kernel.run(TICKER, timeout=30).ok()
    time.sleep(2.0)  # the ticker outlives its cell: its output goes to the background log
    ex = fresh_kernel.run("%background 1", timeout=30).ok()
    log = re.search(r"full log: (\S+)\)", ex.stdout).group(1)
    assert stat.S_IMODE(os.lstat(log).st_mode) == 0o600, oct(os.lstat(log).st_mode)
    directory = os.path.dirname(log)
    assert stat.S_IMODE(os.lstat(directory).st_mode) == 0o700, directory
    assert os.lstat(directory).st_uid == os.getuid()
    fresh_kernel.shutdown()
    deadline = time.monotonic() + 20
    while os.path.exists(log) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not os.path.exists(log), "the background log outlived its kernel"
