package serverlab.kernel;

import io.github.spencerpark.jupyter.kernel.history.HistoryEntry;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageContext;
import io.github.spencerpark.jupyter.messages.request.CompleteRequest;
import io.github.spencerpark.jupyter.messages.request.ExecuteRequest;
import io.github.spencerpark.jupyter.messages.request.HistoryRequest;
import io.github.spencerpark.jupyter.messages.request.InspectRequest;
import io.github.spencerpark.jupyter.messages.request.IsCompleteRequest;
import io.github.spencerpark.jupyter.messages.request.ShutdownRequest;
import serverlab.kernel.display.DisplayPublisher;
import serverlab.kernel.display.Renderers;
import serverlab.kernel.eval.CellEvaluator;
import serverlab.kernel.eval.Outcome;
import serverlab.kernel.history.History;
import serverlab.kernel.io.BackgroundOutput;
import serverlab.kernel.io.CellStreams;
import serverlab.kernel.io.StreamFlusher;
import serverlab.kernel.magic.Magics;
import serverlab.kernel.wire.Connection;
import serverlab.kernel.wire.RouterChannel;
import serverlab.kernel.widgets.Comms;
import serverlab.servers.Tracked;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The kernel: reads requests from the shell and control channels and answers them in
 * the words of the Jupyter messaging protocol. Cells run one at a time on the shell
 * thread; the control thread stays free to interrupt or shut down. The "shell-io" thread
 * reads the shell socket: comm messages (widgets) are answered there at once, even while a
 * cell runs, and every other request waits in {@link #requests} for the shell thread.
 */
public final class ServerLabKernel {
    static final String PROTOCOL_VERSION = "5.3";
    static final String VERSION = "0.1.0";

    private final Connection connection;
    private final CellEvaluator evaluator;
    private final Magics magics;
    private final History history;
    private final StreamFlusher flusher = new StreamFlusher();
    private final AtomicInteger executionCount = new AtomicInteger();
    private final LinkedBlockingQueue<Message<?>> requests = new LinkedBlockingQueue<>();
    private final Comms comms;
    private volatile CellRun running;
    /** A widget handler (a button's click, an observer) running on the widget-events thread, and that thread. */
    private volatile CellRun handlerRun;
    private volatile Thread handlerThread;
    /** When an interrupt found no cell running: it may be meant for a cell sent just before it. */
    private volatile java.time.Instant idleInterruptAt;
    private volatile MessageContext lastExecute;
    private volatile boolean shuttingDown;

    public ServerLabKernel(Connection connection, CellEvaluator evaluator, BackgroundOutput background, History history,
                           KernelExtensions extensions) {
        this.connection = connection;
        this.evaluator = evaluator;
        this.history = history;
        this.magics = new Magics(evaluator, background);
        DisplayPublisher displays = new DisplayPublisher(connection::publish, () -> lastExecute);
        Notebook.install(displays);                                // display(...) in cells
        extensions.installDisplayHooks(displays, ServerLabKernel.class.getClassLoader());   // the libraries' own display hooks
        comms = new Comms(new CommWire());
        Comms.install(comms);                                      // widgets created in cells open their comms here
    }

    /** Serves until shutdown: control and shell-io on their own threads, cells on the calling thread. */
    public void serve() {
        connection.publish(null, "status", Map.of("execution_state", "starting"));
        RouterChannel control = connection.control();
        daemon("control", () -> loop(control, control::next));
        RouterChannel shell = connection.shell();
        daemon("shell-io", () -> {
            try {
                shell.pump(this::route);
            } catch (org.zeromq.ZMQException closing) {
                // the context was closed: the kernel is shutting down
            }
        });
        loop(shell, () -> {
            try {
                return requests.take();
            } catch (InterruptedException e) {
                throw new IllegalStateException("the shell thread was interrupted", e);
            }
        });
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** On shell-io: comm messages are answered now, everything else waits its turn on the shell thread. */
    private void route(Message<?> message) {
        try {
            if (Comms.isComm(message.getHeader().getType().getName())) comms.receive(message, message.getContent());
            else requests.add(message);
        } catch (RuntimeException e) {
            System.getLogger("serverlab.kernel").log(System.Logger.Level.WARNING, "comm message failed", e);
        }
    }

    private void loop(RouterChannel channel, Supplier<Message<?>> next) {
        while (!shuttingDown) {
            try {
                Message<?> message = next.get();
                if (message != null) handle(channel, message);
            } catch (org.zeromq.ZMQException e) {
                return;   // the context was closed: the kernel is shutting down
            } catch (Throwable e) {
                if (shuttingDown) return;
                // One bad message (or an OOM in a cell's aftermath) must not end the kernel.
                System.getLogger("serverlab.kernel").log(System.Logger.Level.WARNING, "request failed", e);
            }
        }
    }

    /** SERVERLAB_TRACE=1 logs where each request's time goes (kernel log, not the notebook), once per request. */
    private static final boolean TRACE = "1".equals(System.getenv("SERVERLAB_TRACE"));
    private static final ThreadLocal<StringBuilder> TRACE_LINE = ThreadLocal.withInitial(StringBuilder::new);

    private static void trace(String what, long since) {
        if (TRACE) TRACE_LINE.get().append(String.format(" | %s +%.2f ms", what, (System.nanoTime() - since) / 1e6));
    }

    private static void flushTrace(String type) {
        StringBuilder line = TRACE_LINE.get();
        if (!TRACE || line.isEmpty()) return;
        System.getLogger("serverlab.kernel").log(System.Logger.Level.WARNING, type + line);
        line.setLength(0);
    }

    private void handle(RouterChannel channel, Message<?> message) {
        long received = System.nanoTime();
        String type = message.getHeader().getType().getName();
        if (type.equals("none")) return;   // a request this kernel does not know: ignored, as ipykernel does
        busy(message);
        trace("busy published", received);
        try {
            switch (type) {
                case "execute_request" -> {
                    if (execute(channel, message)) abortQueued(channel);
                }
                case "kernel_info_request" -> {
                    reply(channel, message, "kernel_info_reply", kernelInfo());
                    StartTrace.mark("kernel_info replied");
                }
                case "complete_request" -> complete(channel, message);
                case "inspect_request" -> inspect(channel, message);
                case "is_complete_request" -> isComplete(channel, message);
                case "history_request" -> history(channel, message);
                case "interrupt_request" -> interrupt(channel, message);
                case "shutdown_request" -> shutdown(channel, message);
                default -> { }
            }
        } finally {
            idle(message);
            trace("handled", received);
            flushTrace(type);
        }
    }

    // --- execute ----------------------------------------------------------------------

    /** Runs a cell; true when it failed and asked for the queued cells to be aborted. */
    private boolean execute(RouterChannel channel, Message<?> message) {
        ExecuteRequest request = (ExecuteRequest) message.getContent();
        String code = request.getCode() == null ? "" : request.getCode();
        boolean silent = request.isSilent();
        boolean store = request.shouldStoreHistory() && !silent;
        int count = store ? executionCount.incrementAndGet() : executionCount.get();
        if (!silent) connection.publish(message, "execute_input", Map.of("code", code, "execution_count", count));

        CellStreams streams = new CellStreams(message, connection::publish, flusher);
        CellRun run = new CellRun(count, message, streams, silent);
        lastExecute = message;
        running = run;
        if (sentBeforeIdleInterrupt(message)) run.requestStop();
        Outcome outcome;
        CellRun.bind(run);
        long started = System.nanoTime();
        try {
            StartTrace.mark("cell received");
            evaluator.awaitReady();
            StartTrace.mark("JShell ready");
            outcome = magics.runCell(code, run);
            StartTrace.mark("cell evaluated");
            trace("cell evaluated", started);
        } catch (Throwable e) {
            outcome = new Outcome.Failure(e.getClass().getName(), String.valueOf(e.getMessage()),
                    List.of(e.getClass().getName() + ": " + e.getMessage()));
        } finally {
            CellRun.bind(null);
            running = null;
        }
        streams.flush();
        trace("streams flushed before result", started);
        if (outcome instanceof Outcome.Value value && !silent) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("execution_count", count);
            result.put("data", Renderers.render(value.value()));
            trace("result rendered", started);
            result.put("metadata", Map.of());
            connection.publish(message, "execute_result", result);
        }
        trace("result published", started);
        run.finish();
        streams.flush();
        trace("streams flushed", started);

        Map<String, Object> reply = new LinkedHashMap<>();
        boolean failed = outcome instanceof Outcome.Failure;
        if (outcome instanceof Outcome.Failure failure) {
            Map<String, Object> error = Map.of("ename", failure.ename(), "evalue", failure.evalue(), "traceback", failure.traceback());
            if (!silent) connection.publish(message, "error", error);
            reply.put("status", "error");
            reply.put("execution_count", count);
            reply.putAll(error);
        } else {
            reply.put("status", "ok");
            reply.put("execution_count", count);
            reply.put("user_expressions", userExpressions(request, message));
            reply.put("payload", List.of());
        }
        trace("reply built", started);
        if (store) history.record(count, code);
        trace("history recorded", started);
        reply(channel, message, "execute_reply", reply);
        trace("replied", started);
        StartTrace.mark("first cell replied");
        StartTrace.report();
        return failed && request.shouldStopOnError();
    }

    private Map<String, Object> userExpressions(ExecuteRequest request, MessageContext message) {
        Map<String, String> expressions = request.getUserExpr();
        Map<String, Object> results = new LinkedHashMap<>();
        if (expressions == null || expressions.isEmpty()) return results;
        for (Map.Entry<String, String> entry : expressions.entrySet()) {
            CellRun run = new CellRun(executionCount.get(), message, new CellStreams(message, connection::publish, flusher), true);
            Outcome outcome = evaluator.eval(entry.getValue(), run);
            run.finish();
            if (outcome instanceof Outcome.Failure f) {
                results.put(entry.getKey(), Map.of("status", "error", "ename", f.ename(), "evalue", f.evalue(), "traceback", f.traceback()));
            } else {
                Object value = outcome instanceof Outcome.Value v ? v.value() : null;
                results.put(entry.getKey(), Map.of("status", "ok", "data", Renderers.render(value), "metadata", Map.of()));
            }
        }
        return results;
    }

    /**
     * True when the client sent this execute request before an interrupt that arrived while
     * no cell was running: the interrupt overtook its cell (control is a separate socket) and
     * belongs to it, as a user who clicks Run then Interrupt expects.
     */
    private boolean sentBeforeIdleInterrupt(MessageContext request) {
        java.time.Instant interruptAt = idleInterruptAt;
        if (interruptAt == null) return false;
        try {
            java.time.Instant sent = java.time.OffsetDateTime.parse(request.getHeader().getTimestamp().getDateString()).toInstant();
            if (!sent.isBefore(interruptAt)) return false;
            idleInterruptAt = null;
            return true;
        } catch (RuntimeException unparseableDate) {
            return false;
        }
    }

    /** After a failed cell, answer the execute requests already queued with "aborted" (Run All relies on it). */
    private void abortQueued(RouterChannel channel) {
        Message<?> queued;
        while ((queued = requests.poll()) != null) {
            if (queued.getHeader().getType().getName().equals("execute_request")) {
                busy(queued);
                // No execution_count, as ipykernel: front ends then leave the skipped cell's prompt empty.
                reply(channel, queued, "execute_reply", Map.of("status", "aborted"));
                idle(queued);
            } else {
                handle(channel, queued);
            }
        }
    }

    private void interrupt(RouterChannel channel, Message<?> message) {
        CellRun run = running;
        CellRun handler = handlerRun;
        Thread handlerOn = handlerThread;
        if (run != null) {
            evaluator.interrupt(run);
        } else if (handler != null && handlerOn != null) {
            evaluator.interrupt(handler);   // a handler stuck in a loop would stall every widget
            handlerOn.interrupt();
        } else {
            idleInterruptAt = java.time.Instant.now();
        }
        reply(channel, message, "interrupt_reply", Map.of("status", "ok"));
    }

    // --- introspection -------------------------------------------------------------------

    private void complete(RouterChannel channel, Message<?> message) {
        CompleteRequest request = (CompleteRequest) message.getContent();
        CellEvaluator.Completion completion = magicCompletion(request.getCode(), request.getCursorPos())
                .orElseGet(() -> evaluator.complete(request.getCode(), request.getCursorPos()));
        reply(channel, message, "complete_reply", Map.of("status", "ok", "matches", completion.matches(),
                "cursor_start", completion.start(), "cursor_end", completion.end(), "metadata", Map.of()));
    }

    /** A magic's name being typed at the start of a line completes to the magics, not to Java. */
    private java.util.Optional<CellEvaluator.Completion> magicCompletion(String code, int cursor) {
        int lineStart = code.lastIndexOf('\n', cursor - 1) + 1;
        String typed = code.substring(lineStart, cursor);
        if (!typed.startsWith("%") || typed.contains(" ")) return java.util.Optional.empty();
        List<String> matches = magics.names().stream().filter(name -> name.startsWith(typed)).toList();
        return java.util.Optional.of(new CellEvaluator.Completion(matches, lineStart, cursor));
    }

    private void inspect(RouterChannel channel, Message<?> message) {
        InspectRequest request = (InspectRequest) message.getContent();
        String text = evaluator.inspect(request.getCode(), request.getCursorPos());
        reply(channel, message, "inspect_reply", Map.of("status", "ok", "found", text != null,
                "data", text == null ? Map.of() : Map.of("text/plain", text), "metadata", Map.of()));
    }

    private void isComplete(RouterChannel channel, Message<?> message) {
        IsCompleteRequest request = (IsCompleteRequest) message.getContent();
        CellEvaluator.Completeness completeness = evaluator.isComplete(request.getCode());
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("status", completeness.status());
        if (completeness.status().equals("incomplete")) content.put("indent", completeness.indent());
        reply(channel, message, "is_complete_reply", content);
    }

    private void history(RouterChannel channel, Message<?> message) {
        HistoryRequest request = (HistoryRequest) message.getContent();
        List<HistoryEntry> entries = switch (request) {
            case HistoryRequest.Tail tail -> history.tail(tail.getMaxReturnLength());
            case HistoryRequest.Range range -> history.range(range.getSessionIndex(), range.getStart(), range.getStop());
            case HistoryRequest.Search search -> history.search(search.getPattern(), search.getMaxReturnLength(), search.filterUnique());
            default -> List.of();
        };
        List<Object> rows = new ArrayList<>();
        for (HistoryEntry entry : entries) {
            Object input = request.includeOutput() ? List.of(entry.getInput(), entry.hasOutput() ? entry.getOutput() : "") : entry.getInput();
            rows.add(List.of(entry.getSession(), entry.getCellNumber(), input));
        }
        reply(channel, message, "history_reply", Map.of("status", "ok", "history", rows));
    }

    private Map<String, Object> kernelInfo() {
        Map<String, Object> language = new LinkedHashMap<>();
        language.put("name", "java");
        language.put("version", Runtime.version().feature() + "");
        language.put("mimetype", "text/x-java-source");
        language.put("file_extension", ".jshell");
        language.put("pygments_lexer", "java");
        language.put("codemirror_mode", "text/x-java");
        language.put("nbconvert_exporter", "script");
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("status", "ok");
        info.put("protocol_version", PROTOCOL_VERSION);
        info.put("implementation", "serverlab");
        info.put("implementation_version", VERSION);
        info.put("language_info", language);
        info.put("banner", "ServerLab kernel " + VERSION + " — Java " + Runtime.version() + " (JShell in the kernel JVM). %help lists the magics.");
        info.put("help_links", List.of(Map.of("text", "JShell user guide (Oracle; magics: run %help)",
                "url", "https://docs.oracle.com/en/java/javase/21/jshell/")));
        info.put("debugger", false);
        return info;
    }

    // --- shutdown --------------------------------------------------------------------------

    private void shutdown(RouterChannel channel, Message<?> message) {
        boolean restart = ((ShutdownRequest) message.getContent()).isRestart();
        reply(channel, message, "shutdown_reply", Map.of("status", "ok", "restart", restart));
        shuttingDown = true;
        CellRun run = running;
        if (run != null) evaluator.interrupt(run);
        Main.exitSoon(0);
    }

    /** Servers and child processes started from cells: closed on restart and shutdown. */
    public static void closeTracked() {
        Tracked.closeAll();
    }

    // --- comms ----------------------------------------------------------------------------

    /** How widgets reach the front end: IOPub under the request being served, replies on shell. */
    private final class CommWire implements Comms.Wire {
        @Override
        public void publish(MessageContext parent, String msgType, Map<String, Object> content, Map<String, Object> metadata) {
            CellRun run = CellRun.current();
            MessageContext under = parent != null ? parent : run != null ? run.request() : lastExecute;
            connection.publish(under, msgType, content, metadata);
        }

        @Override
        public void reply(MessageContext request, String msgType, Map<String, Object> content) {
            connection.reply(connection.shell(), request, msgType, content);
        }

        /** A widget's handler runs as a small cell of its own: its prints and errors go out under the comm message. */
        @Override
        public void run(MessageContext request, Runnable code) {
            CellRun run = new CellRun(executionCount.get(), request, new CellStreams(request, connection::publish, flusher), false);
            CellRun.bind(run);
            handlerThread = Thread.currentThread();
            handlerRun = run;
            try {
                code.run();
            } catch (serverlab.kernel.eval.CellGuard.CellInterrupted interrupted) {
                System.err.println("interrupted");
            } catch (Throwable e) {
                e.printStackTrace();   // System.err: to the front end's log, under the comm message
            } finally {
                handlerRun = null;
                Thread.interrupted();   // an interrupt meant for this handler must not reach the next one
                CellRun.bind(null);
                run.finish();
                run.streams().flush();
            }
        }

        @Override
        public void status(MessageContext request, String executionState) {
            connection.publish(request, "status", Map.of("execution_state", executionState));
            // The front end shows the kernel's latest status: a cell still running keeps it busy.
            CellRun cell = running;
            if (executionState.equals("idle") && cell != null && !cell.silent()) busy(cell.request());
        }
    }

    // --- plumbing --------------------------------------------------------------------------

    private void reply(RouterChannel channel, MessageContext request, String type, Map<String, Object> content) {
        connection.reply(channel, request, type, content);
    }

    private void busy(MessageContext request) {
        connection.publish(request, "status", Map.of("execution_state", "busy"));
    }

    private void idle(MessageContext request) {
        connection.publish(request, "status", Map.of("execution_state", "idle"));
    }
}
