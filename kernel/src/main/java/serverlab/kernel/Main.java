package serverlab.kernel;

import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import serverlab.kernel.eval.CellEvaluator;
import serverlab.kernel.history.History;
import serverlab.kernel.install.KernelSpecInstaller;
import serverlab.kernel.io.BackgroundOutput;
import serverlab.kernel.io.OutputRouter;
import serverlab.kernel.io.PrivateFiles;
import serverlab.kernel.wire.Connection;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
            trainClassData();
            return;
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
            run(connectionFile);
        } catch (Exception | Error e) {
            stderr.println("error: the ServerLab kernel could not start: " + e);
            e.printStackTrace(stderr);
            System.exit(1);
        }
    }

    private static void run(Path connectionFile) throws Exception {
        quietLogging();
        System.setProperty("java.awt.headless", "true");
        // Tablesaw and the Maven resolver log through SLF4J without a provider; its three-line
        // "no providers" warning would land in the first cell that touches them.
        if (System.getProperty("slf4j.internal.verbosity") == null) System.setProperty("slf4j.internal.verbosity", "ERROR");
        KernelConnectionProperties props = KernelConnectionProperties.parse(Files.readString(connectionFile));
        Connection connection;
        try {
            connection = new Connection(props);
        } catch (IllegalArgumentException | java.net.BindException unusable) {
            System.err.println("error: " + connectionFile + ": " + unusable.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(connection::closeRelays, "remove-ipc-sockets"));
        String startup = System.getenv("SERVERLAB_STARTUP_SCRIPT");
        KernelExtensions extensions = KernelExtensions.load(Main.class.getClassLoader());
        CellEvaluator evaluator = new CellEvaluator(System.getProperty("java.class.path"), extensions.imports(),
                startup == null || startup.isBlank() ? null : Path.of(startup));

        Path backgroundLog = PrivateFiles.runtimeDirectory().resolve("kernel-" + ProcessHandle.current().pid() + "-background.log");
        Files.deleteIfExists(backgroundLog);   // left by a killed kernel whose pid we now have
        BackgroundOutput background = new BackgroundOutput(backgroundLog);
        new OutputRouter(background).install();
        Runtime.getRuntime().addShutdownHook(new Thread(background::delete, "delete-background-log"));
        serverlab.kernel.io.CellInput.install(connection::askInput);
        Runtime.getRuntime().addShutdownHook(new Thread(ServerLabKernel::closeTracked, "close-tracked"));

        History history = History.open(History.defaultFile(), PrivateFiles.runtimeDirectory(), System.err);
        ServerLabKernel kernel = new ServerLabKernel(connection, evaluator, background, history, extensions);
        exitWithParent();
        kernel.serve();
    }

    /** The install command's training run: loads what a first cell loads, for the class-data archive. */
    private static void trainClassData() {
        quietLogging();
        System.setProperty("java.awt.headless", "true");
        CellEvaluator evaluator = new CellEvaluator(System.getProperty("java.class.path"),
                KernelExtensions.load(Main.class.getClassLoader()).imports(), null);
        CellRun run = new CellRun(1, null, null, true);
        for (String cell : new String[] {"1 + 1", "System.out.println(\"warm\")",
                "Table.create(\"t\", tech.tablesaw.api.IntColumn.create(\"n\", new int[] {1, 2, 3}))",
                "QuickChart.getChart(\"t\", \"x\", \"y\", \"s\", new double[] {1, 2}, new double[] {3, 4})"}) {
            if (evaluator.eval(cell, run) instanceof serverlab.kernel.eval.Outcome.Value value) {
                serverlab.kernel.display.Renderers.render(value.value());
            }
        }
        evaluator.complete("\"abc\".toUpp", 11);
        evaluator.inspect("Math.max", 8);
        evaluator.isComplete("for (int i = 0; i < 3; i++) {");
        System.exit(0);
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
