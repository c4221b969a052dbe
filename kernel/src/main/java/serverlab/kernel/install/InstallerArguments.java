package serverlab.kernel.install;

import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The command line of {@code install} / {@code uninstall}, parsed by picocli into {@link KernelSpecInstaller.Options}. */
@Command(name = "serverlab-kernel", customSynopsis = "java -jar serverlab-kernel.jar install|uninstall [options]",
        sortOptions = false, usageHelpWidth = 110)
final class InstallerArguments {
    // jupyter_client accepts only these characters in kernel names.
    private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9._-]+");

    enum Verb { install, uninstall }

    @Parameters(index = "0", paramLabel = "install|uninstall", description = "install or remove the kernelspec")
    Verb verb;

    /** Where the kernelspec goes: one of three, --user when none is given. */
    static final class Where {
        @Option(names = "--user", description = "the user's Jupyter data dir ($JUPYTER_DATA_DIR, else ~/.local/share/jupyter) (default)")
        boolean user;
        @Option(names = "--sys-prefix", description = "the prefix of the Python environment running Jupyter (see --python)")
        boolean sysPrefix;
        @Option(names = "--prefix", paramLabel = "DIR", description = "DIR/share/jupyter/kernels/<name>")
        Path prefix;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Where where;

    @Option(names = "--name", paramLabel = "NAME", description = "kernelspec name (default serverlab)")
    String name = KernelSpecInstaller.DEFAULT_NAME;

    @Option(names = "--display-name", paramLabel = "TEXT", description = "name shown in the launcher (default \"ServerLab (Java)\")")
    String displayName = KernelSpecInstaller.DEFAULT_DISPLAY_NAME;

    @Option(names = "--python", paramLabel = "PATH", description = "Python for --sys-prefix (default $VIRTUAL_ENV/bin/python, else python3 on PATH)")
    String python;

    @Option(names = "--java", paramLabel = "PATH", description = "java to run the kernel (default: the java running this command)")
    Path java;

    @Option(names = "--jvm-opt", paramLabel = "OPT", description = "extra JVM option, repeatable (e.g. --jvm-opt -Xmx2g)")
    List<String> jvmOpts = new ArrayList<>();

    @Option(names = "--startup-script", paramLabel = "FILE", description = "JShell script the kernel runs at start (env SERVERLAB_STARTUP_SCRIPT)")
    Path startupScript;

    @Option(names = "--jar", paramLabel = "PATH", description = "kernel jar to install (default: the jar running this command)")
    Path jar;

    @Option(names = {"--help", "-h"}, usageHelp = true, description = "this text")
    boolean help;

    static String usage() {
        return new CommandLine(new InstallerArguments()).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    static KernelSpecInstaller.Options parse(String[] args) throws KernelSpecInstaller.InstallException {
        InstallerArguments arguments = new InstallerArguments();
        CommandLine commandLine = new CommandLine(arguments);
        try {
            commandLine.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            if (commandLine.isUsageHelpRequested()) return arguments.options(true);
            throw new KernelSpecInstaller.InstallException(explain(e), 2);
        }
        if (arguments.help) return arguments.options(true);
        if (!VALID_NAME.matcher(arguments.name).matches()) {
            throw new KernelSpecInstaller.InstallException("--name may contain only letters, digits, '.', '_' and '-': " + arguments.name, 2);
        }
        return arguments.options(false);
    }

    /** picocli's messages, in this command's words. */
    private static String explain(CommandLine.ParameterException e) {
        return switch (e) {
            case CommandLine.UnmatchedArgumentException unknown when !unknown.getUnmatched().isEmpty()
                    && unknown.getUnmatched().get(0).startsWith("-") -> "unknown option " + unknown.getUnmatched().get(0);
            case CommandLine.MissingParameterException missing
                    when missing.getMissing().size() == 1 && missing.getMissing().get(0) instanceof CommandLine.Model.OptionSpec option ->
                    option.longestName() + " needs a value";
            case CommandLine.MutuallyExclusiveArgsException exclusive -> "--user, --sys-prefix and --prefix are mutually exclusive";
            default -> e.getMessage();
        };
    }

    private KernelSpecInstaller.Options options(boolean helpOnly) {
        KernelSpecInstaller.Location location = where == null || where.user ? KernelSpecInstaller.Location.USER
                : where.sysPrefix ? KernelSpecInstaller.Location.SYS_PREFIX : KernelSpecInstaller.Location.PREFIX;
        Path javaPath = java != null ? java
                : Path.of(System.getProperty("java.home"), "bin", KernelSpecInstaller.isWindows() ? "java.exe" : "java");
        return new KernelSpecInstaller.Options(verb == Verb.install, location, where == null ? null : where.prefix, name,
                displayName, python, javaPath.toAbsolutePath(), List.copyOf(jvmOpts), startupScript, jar, helpOnly);
    }
}
