"""7. history_request: tail, range, search; history persists across a restart."""
import uuid


def history(kernel, **kw):
    reply = kernel.request("history", raw=True, output=False, **kw)
    c = reply["content"]
    assert c.get("status") == "ok", c
    entries = c["history"]
    for e in entries:
        assert len(e) == 3, f"history entry is not (session, line, input): {e}"
    return [tuple(e) for e in entries]


def make_cells(kernel, n=3):
    tag = uuid.uuid4().hex[:10]
    codes = [f'String h{tag}_{i} = "{tag}-{i}";' for i in range(n - 1)]
    codes.append(f'System.out.println("{tag}");')
    for code in codes:
        kernel.run(code).ok()
    return tag, codes


def test_tail(kernel):
    tag, codes = make_cells(kernel)
    entries = history(kernel, hist_access_type="tail", n=5)
    assert 0 < len(entries) <= 5, entries
    inputs = [e[2] for e in entries]
    assert inputs[-3:] == codes, f"tail does not end with the last cells:\n{entries}"
    sessions = {e[0] for e in entries[-3:]}
    assert len(sessions) == 1, entries
    lines = [e[1] for e in entries[-3:]]
    assert lines == sorted(lines) and len(set(lines)) == 3, f"line numbers not increasing: {entries}"


def test_range_current_session(kernel):
    tag, codes = make_cells(kernel)
    entries = history(kernel, hist_access_type="range", session=0, start=1, stop=100000)
    inputs = [e[2] for e in entries]
    for code in codes:
        assert code in inputs, f"{code!r} missing from range of the current session ({len(entries)} entries)"
    assert len({e[0] for e in entries}) == 1, "range of one session returned several sessions"


def test_search(kernel):
    tag, codes = make_cells(kernel)
    entries = history(kernel, hist_access_type="search", pattern="*println*")
    inputs = [e[2] for e in entries]
    assert codes[-1] in inputs, f"search *println* did not find {codes[-1]!r}"
    assert all("println" in i for i in inputs), [i for i in inputs if "println" not in i][:5]
    narrow = history(kernel, hist_access_type="search", pattern=f"*{tag}-0*")
    assert [e[2] for e in narrow] == [codes[0]], narrow


def test_history_survives_restart(fresh_kernel):
    tag, codes = make_cells(fresh_kernel)
    before = history(fresh_kernel, hist_access_type="tail", n=5)
    old_session = [e for e in before if e[2] == codes[-1]][0][0]
    fresh_kernel.restart()
    entries = history(fresh_kernel, hist_access_type="tail", n=5)
    assert codes[-1] in [e[2] for e in entries], f"previous session's cells not in tail after restart:\n{entries}"
    found = history(fresh_kernel, hist_access_type="search", pattern=f"*{tag}*")
    assert sorted(e[2] for e in found) == sorted(codes), found
    assert all(e[0] == old_session for e in found), found
    # a new cell after the restart lands in a new session
    fresh_kernel.run(f'int after{tag} = 1;').ok()
    newer = history(fresh_kernel, hist_access_type="tail", n=1)
    assert newer[-1][2] == f'int after{tag} = 1;' and newer[-1][0] != old_session, newer
