package serverlab.kernel;

import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import serverlab.kernel.eval.CellEvaluator;
import serverlab.kernel.history.History;
import serverlab.kernel.install.KernelSpecInstaller;
import serverlab.kernel.io.BackgroundOutput;
import serverlab.kernel.io.OutputRouter;
import serverlab.kernel.io.PrivateFiles;
import serverlab.kernel.wire.Connection;
import serverlab.kernel.wire.TrainingClient;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * {@code java -jar serverlab-kernel.jar CONNECTION_FILE} runs the kernel;
 * {@code install} / {@code uninstall} manage its kernelspec.
 */
public final class Main {
    private static final String USAGE = """
            ServerLab Jupyter kernel %s
            usage: java -jar serverlab-kernel.jar CONNECTION_FILE      run the kernel (Jupyter does this)
                   java -jar serverlab-kernel.jar install [options]    install the kernelspec (--help for options)
                   java -jar serverlab-kernel.jar uninstall [options]  remove it
            """.formatted(ServerLabKernel.VERSION);

    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.print(USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        if (args[0].equals("--train-cds")) {
            PrintStream stderr = System.err;   // the training kernel routes System.err too
            try {
                trainClassData();
            } catch (Exception | Error e) {
                stderr.println("error: the training run failed: " + e);
                e.printStackTrace(stderr);
            }
            System.exit(1);   // a kernel that shuts down exits with 0 before this
        }
        if (args[0].equals("install") || args[0].equals("uninstall")) {
            System.exit(KernelSpecInstaller.run(args));
        }
        Path connectionFile = Path.of(args[0].equals("run") && args.length > 1 ? args[1] : args[0]);
        if (!Files.isReadable(connectionFile)) {
            System.err.println("error: cannot read connection file " + connectionFile + "\n" + USAGE);
            System.exit(2);
        }
        PrintStream stderr = System.err;   // the kernel routes System.err into cells once it runs
        try {
            run(connectionFile, History.defaultFile());
        } catch (Exception | Error e) {
            stderr.println("error: the ServerLab kernel could not start: " + e);
            e.printStackTrace(stderr);
            System.exit(1);
        }
    }

    private static void run(Path connectionFile, Path historyFile) throws Exception {
        StartTrace.mark("main");
        quietLogging();
        System.setProperty("java.awt.headless", "true");
        // Tablesaw and the Maven resolver log through SLF4J without a provider; its three-line
        // "no providers" warning would land in the first cell that touches them.
        if (System.getProperty("slf4j.internal.verbosity") == null) System.setProperty("slf4j.internal.verbosity", "ERROR");
        // JShell and its imports are the longest road to the first cell: start on them before the sockets.
        String startup = System.getenv("SERVERLAB_STARTUP_SCRIPT");
        KernelExtensions extensions = KernelExtensions.load(Main.class.getClassLoader());
        CellEvaluator evaluator = new CellEvaluator(System.getProperty("java.class.path"), extensions.imports(),
                startup == null || startup.isBlank() ? null : Path.of(startup));

        KernelConnectionProperties props = KernelConnectionProperties.parse(Files.readString(connectionFile));
        Connection connection;
        try {
            connection = new Connection(props);
        } catch (IllegalArgumentException | java.net.BindException unusable) {
            System.err.println("error: " + connectionFile + ": " + unusable.getMessage());
            System.exit(2);
            return;
        }
        StartTrace.mark("sockets bound");
        Runtime.getRuntime().addShutdownHook(new Thread(connection::closeRelays, "remove-ipc-sockets"));

        Path backgroundLog = PrivateFiles.runtimeDirectory().resolve("kernel-" + ProcessHandle.current().pid() + "-background.log");
        Files.deleteIfExists(backgroundLog);   // left by a killed kernel whose pid we now have
        BackgroundOutput background = new BackgroundOutput(backgroundLog);
        new OutputRouter(background).install();
        Runtime.getRuntime().addShutdownHook(new Thread(background::delete, "delete-background-log"));
        serverlab.kernel.io.CellInput.install(connection::askInput);
        Runtime.getRuntime().addShutdownHook(new Thread(ServerLabKernel::closeTracked, "close-tracked"));

        History history = History.open(historyFile, PrivateFiles.runtimeDirectory(), System.err);
        ServerLabKernel kernel = new ServerLabKernel(connection, evaluator, background, history, extensions);
        exitWithParent();
        StartTrace.mark("serving");
        kernel.serve();
    }

    /** What the training run's session evaluates: a value, output, a table and a chart. */
    private static final List<String> TRAINING_CELLS = List.of("1 + 1", "System.out.println(\"warm\")",
            "Table.create(\"t\", tech.tablesaw.api.IntColumn.create(\"n\", new int[] {1, 2, 3}))",
            "QuickChart.getChart(\"t\", \"x\", \"y\", \"s\", new double[] {1, 2}, new double[] {3, 4})");

    /**
     * The install command's training run, for the class-data archive: a real kernel on loopback sockets, driven
     * through them by a {@link TrainingClient} as a notebook's first minute drives it, then shut down (the JVM
     * writes the archive as it exits).
     */
    private static void trainClassData() throws Exception {
        Path dir = Files.createTempDirectory("serverlab-training");
        KernelConnectionProperties props = TrainingClient.loopbackConnection();
        Path connectionFile = dir.resolve("kernel-training.json");
        Files.writeString(connectionFile, props.toJsonString());
        Thread kernel = new Thread(() -> {
            try {
                run(connectionFile, dir.resolve("history.jsonl"));
            } catch (Exception e) {
                throw new IllegalStateException("the training kernel failed", e);
            }
        }, "training-kernel");
        kernel.setDaemon(true);
        kernel.start();
        try (TrainingClient client = new TrainingClient(props)) {
            try {
                client.runSession(TRAINING_CELLS);
            } finally {
                deleteTree(dir);
            }
            client.shutdown();
            Thread.sleep(30_000);   // the kernel's own exit (status 0) ends the JVM well before this
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(path);
        }
    }

    /** Jupyter names the process that started us; if it dies without shutting us down, go too. */
    private static void exitWithParent() {
        String parent = System.getenv("JPY_PARENT_PID");
        if (parent == null || !parent.matches("\\d+")) return;
        ProcessHandle.of(Long.parseLong(parent)).ifPresent(p -> p.onExit().thenRun(() -> exitSoon(0)));
    }

    /** basekernel logs every message at INFO; only warnings belong in the server log. */
    private static void quietLogging() {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(Level.WARNING);
        java.util.logging.ConsoleHandler handler = new java.util.logging.ConsoleHandler();
        handler.setLevel(Level.WARNING);
        root.addHandler(handler);
    }

    /** Ends the process shortly, after replies have left; halts if a user shutdown hook hangs. */
    static void exitSoon(int status) {
        Thread exit = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException ignored) {
            }
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException ignored) {
                }
                Runtime.getRuntime().halt(status);
            }, "exit-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            System.exit(status);
        }, "exit");
        exit.start();
    }
}
