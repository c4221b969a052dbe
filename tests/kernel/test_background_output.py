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
