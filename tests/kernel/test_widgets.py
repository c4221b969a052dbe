"""Jupyter widgets over the wire: the comm protocol as JupyterLab's widget manager speaks it.

The client here plays the front end: it reads comm_open/comm_msg on IOPub and sends
comm_msg/comm_open/comm_info_request on shell, as @jupyter-widgets/base 2.0 does.
"""
import time

import zmq

CHART = 'org.knowm.xchart.QuickChart.getChart("T","x","y","s", new double[]{1,2}, new double[]{3,4})'


def comm_send(kernel, msg_type, content, timeout=20):
    """Send a shell message (comm_msg, comm_open, ...); return the IOPub messages under it, up to its idle."""
    kernel._drain()
    msg = kernel.kc.session.msg(msg_type, content)
    kernel.kc.shell_channel.send(msg)
    return wait_idle(kernel, msg["header"]["msg_id"], timeout)


def wait_idle(kernel, msg_id, timeout=20):
    got = []
    iopub = kernel.kc.iopub_channel
    poller = zmq.Poller()
    poller.register(iopub.socket, zmq.POLLIN)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not poller.poll(200):
            assert kernel.is_alive(), "the kernel died"
            continue
        while iopub.msg_ready():
            m = iopub.get_msg(timeout=0)
            if m["parent_header"].get("msg_id") != msg_id:
                kernel.stray.append(m)
                continue
            got.append(m)
            if m["header"]["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                return got
    raise AssertionError(f"no idle for {msg_id} within {timeout}s; got {[m['header']['msg_type'] for m in got]}")


def update(kernel, comm_id, state):
    return comm_send(kernel, "comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": state, "buffer_paths": []}})


def comm_msgs(messages, comm_id=None):
    return [m["content"] for m in messages if m["header"]["msg_type"] == "comm_msg"
            and (comm_id is None or m["content"]["comm_id"] == comm_id)]


def opened(ex, model_name):
    opens = [m for m in ex.of_type("comm_open") if m["content"]["data"]["state"]["_model_name"] == model_name]
    assert opens, f"no comm_open of a {model_name}\n" + ex.describe()
    return opens[-1]


def stderr_of(messages):
    return "".join(m["content"]["text"] for m in messages
                   if m["header"]["msg_type"] == "stream" and m["content"]["name"] == "stderr")


def test_displaying_a_widget_opens_its_comm_and_shows_a_view_with_a_static_fallback(run):
    ex = run('var slider = new IntSlider("connections", 1, 64, 8); slider').ok()
    msg = opened(ex, "IntSliderModel")
    content = msg["content"]
    assert content["target_name"] == "jupyter.widget"
    assert msg["metadata"].get("version") == "2.1.0", msg["metadata"]
    state = content["data"]["state"]
    assert state["_model_module"] == "@jupyter-widgets/controls" and state["_model_module_version"] == "2.0.0"
    assert (state["value"], state["min"], state["max"], state["description"]) == (8, 1, 64, "connections")
    data = ex.result
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == content["comm_id"], data
    assert data["application/vnd.jupyter.widget-view+json"]["version_major"] == 2
    assert "connections" in data["text/plain"] and "8" in data["text/plain"], data
    assert "connections" in data["text/html"], data


def test_comm_info_lists_open_widgets_filtered_by_target(kernel, run):
    ex = run('var box = new Checkbox("keep-alive", true); box.id()').ok()
    comm_id = ex.text.strip('"')
    listed = kernel.request("comm_info", target_name="jupyter.widget")["content"]
    assert listed["status"] == "ok" and listed["comms"].get(comm_id) == {"target_name": "jupyter.widget"}, listed
    assert comm_id in kernel.request("comm_info")["content"]["comms"]
    assert kernel.request("comm_info", target_name="some.other.target")["content"]["comms"] == {}


def test_update_from_the_front_end_changes_the_java_value_and_runs_the_observer(kernel, run):
    ex = run('var n = new IntSlider("n", 0, 100, 10); var seen = new CopyOnWriteArrayList<Integer>();'
             'n.onChange(seen::add); n.id()').ok()
    comm_id = ex.text.strip('"')
    got = update(kernel, comm_id, {"value": 42})
    assert not stderr_of(got), got
    assert run('n.value() + " " + seen').ok().text == '"42 [42]"'


def test_java_set_sends_an_update(run):
    ex = run('var f = new FloatSlider("rate", 0, 10, 0.5, 1); f.setValue(2.5); f.id()').ok()
    comm_id = ex.text.strip('"')
    assert {"method": "update", "state": {"value": 2.5}, "buffer_paths": []} in [c["data"] for c in comm_msgs(ex.messages, comm_id)], \
        ex.describe()


def test_button_click_runs_the_handler_with_its_output_under_the_click(kernel, run):
    ex = run('var clicks = new AtomicInteger(); var b = new Button("Run");'
             'b.onClick(() -> System.out.println("clicked " + clicks.incrementAndGet())); b.id()').ok()
    comm_id = ex.text.strip('"')
    got = comm_send(kernel, "comm_msg", {"comm_id": comm_id, "data": {"method": "custom", "content": {"event": "click"}}})
    printed = "".join(m["content"]["text"] for m in got if m["header"]["msg_type"] == "stream")
    assert printed == "clicked 1\n", got
    assert run("clicks.get()").ok().text == "1"


def test_selection_widgets_sync_the_index(kernel, run):
    ex = run('var arch = new Dropdown<String>("server", List.of("iterative", "thread-pool", "event-loop"), "thread-pool");'
             'var path = new ToggleButtons<String>("path", List.of("/hello", "/cpu"), "/hello"); arch.id() + " " + path.id()').ok()
    arch_id, path_id = ex.text.strip('"').split()
    state = opened(ex, "DropdownModel")["content"]["data"]["state"]
    assert state["_options_labels"] == ["iterative", "thread-pool", "event-loop"] and state["index"] == 1
    update(kernel, arch_id, {"index": 2})
    update(kernel, path_id, {"index": 1})
    assert run('arch.value() + " " + path.value()').ok().text == '"event-loop /cpu"'


def test_output_captures_prints_and_charts(run):
    ex = run('var out = new Output(); display(out);'
             'try (var c = out.capture()) { System.out.println("inside"); display(' + CHART + '); }'
             'System.out.println("outside");').ok()
    assert ex.stdout == "outside\n", ex.describe()
    comm_id = opened(ex, "OutputModel")["content"]["comm_id"]
    last = comm_msgs(ex.messages, comm_id)[-1]["data"]["state"]["outputs"]
    assert last[0] == {"output_type": "stream", "name": "stdout", "text": "inside\n"}, last
    assert last[1]["output_type"] == "display_data" and "image/png" in last[1]["data"], last


def test_interact_reruns_on_change_and_replaces_its_output(kernel, run):
    ex = run('var k = new IntSlider("k", 1, 5, 2); interact(() -> System.out.println("k=" + k.value()), k);').ok()
    slider = opened(ex, "IntSliderModel")["content"]["comm_id"]
    output = opened(ex, "OutputModel")["content"]["comm_id"]
    view = ex.displays[-1]["content"]["data"]
    assert "k=2" in view["text/html"], view   # the static result for nbconvert and handouts
    got = update(kernel, slider, {"value": 4})
    outputs = comm_msgs(got, output)[-1]["data"]["state"]["outputs"]
    assert outputs == [{"output_type": "stream", "name": "stdout", "text": "k=4\n"}], outputs


def test_comm_message_is_handled_while_a_cell_runs(kernel, run):
    ex = run('var live = new IntSlider("live", 0, 10, 0); live.id()').ok()
    comm_id = ex.text.strip('"')
    cell = kernel.send_execute('long t0 = System.currentTimeMillis();'
                               'while (live.value() != 9 && System.currentTimeMillis() - t0 < 15000) Thread.sleep(5);'
                               'live.value()')
    time.sleep(0.5)
    msg = kernel.kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": {"value": 9}}})
    kernel.kc.shell_channel.send(msg)
    kernel.collect(cell, 30)
    assert cell.ok().text == "9", cell.describe()
    assert time.monotonic() - cell.sent_at < 10, "the update waited for the cell to time out"


def test_bad_comm_messages_give_an_error_and_the_kernel_lives_on(kernel, run):
    ex = run('var good = new IntSlider("good", 0, 10, 3); good.id()').ok()
    comm_id = ex.text.strip('"')
    got = update(kernel, comm_id, {"value": "many"})
    assert "expected a number" in stderr_of(got), got
    assert {"value": 3} in [c["data"]["state"] for c in comm_msgs(got, comm_id)], "the front end is not told the kept value"
    assert "no widget" in stderr_of(comm_send(kernel, "comm_msg", {"comm_id": "nope", "data": {"method": "update", "state": {}}}))
    assert "unknown widget method" in stderr_of(comm_send(kernel, "comm_msg", {"comm_id": comm_id, "data": {"method": "explode"}}))
    got = comm_send(kernel, "comm_open", {"comm_id": "x1", "target_name": "nobody", "data": {}})
    assert any(m["header"]["msg_type"] == "comm_close" for m in got), got
    assert run("good.value() + 1").ok().text == "4"


def test_control_comm_returns_every_widget_state(kernel, run):
    ex = run('var probe = new Text("name", "ada"); probe.id()').ok()
    comm_id = ex.text.strip('"')
    comm_send(kernel, "comm_open", {"comm_id": "ctl", "target_name": "jupyter.widget.control", "data": {}})
    got = comm_send(kernel, "comm_msg", {"comm_id": "ctl", "data": {"method": "request_states"}})
    data = comm_msgs(got, "ctl")[-1]["data"]
    assert data["method"] == "update_states"
    assert data["states"][comm_id]["model_name"] == "TextModel" and data["states"][comm_id]["state"]["value"] == "ada"
    one = comm_send(kernel, "comm_msg", {"comm_id": comm_id, "data": {"method": "request_state"}})
    assert comm_msgs(one, comm_id)[-1]["data"]["state"]["value"] == "ada"


def test_an_interrupt_stops_a_handler_stuck_in_a_loop(kernel, run):
    ex = run('var stuck = new Button("Spin"); stuck.onClick(() -> { while (true) { } });'
             'var after = new Checkbox("after", false); after.onChange(v -> System.out.println("after " + v));'
             'stuck.id() + " " + after.id()').ok()
    stuck, after = ex.text.strip('"').split()
    kernel._drain()
    click = kernel.kc.session.msg("comm_msg", {"comm_id": stuck, "data": {"method": "custom", "content": {"event": "click"}}})
    kernel.kc.shell_channel.send(click)
    time.sleep(1.0)
    kernel.km.interrupt_kernel()
    got = wait_idle(kernel, click["header"]["msg_id"], timeout=20)
    assert "interrupted" in stderr_of(got), got
    printed = [m["content"]["text"] for m in update(kernel, after, {"value": True}) if m["header"]["msg_type"] == "stream"]
    assert printed == ["after true\n"], printed
