"""14. a lot of output arrives complete, in order, batched, and fast."""
import time

N = 100_000


def test_hundred_thousand_lines(kernel):
    t0 = time.monotonic()
    ex = kernel.run(f"for (int i = 0; i < {N:_}; i++) System.out.println(i);", timeout=120)
    elapsed = (ex.idle_at or time.monotonic()) - t0
    assert ex.status == "ok", ex.describe()[:2000]
    lines = ex.stdout.splitlines()
    assert len(lines) == N, f"got {len(lines)} lines, expected {N}"
    bad = next((i for i, line in enumerate(lines) if line != str(i)), None)
    assert bad is None, f"line {bad} is {lines[bad]!r}"
    streams = len(ex.of_type("stream"))
    print(f"{N} lines in {elapsed:.2f}s as {streams} stream messages")
    assert elapsed < 15, f"cell took {elapsed:.1f}s"
    assert streams < N // 10, f"{streams} stream messages for {N} lines: output is not batched"
