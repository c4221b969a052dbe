package serverlab.kernel.install;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Where a kernelspec goes: the user's Jupyter data dir, a Python environment's prefix, or a given prefix. */
final class KernelSpecLocation {
    private KernelSpecLocation() {
    }

    static Path kernelDir(KernelSpecInstaller.Options options) throws KernelSpecInstaller.InstallException {
        Path dataDir = switch (options.location()) {
            case USER -> userJupyterDataDir();
            case PREFIX -> options.prefix().toAbsolutePath().resolve("share").resolve("jupyter");
            case SYS_PREFIX -> pythonPrefix(options.python()).resolve("share").resolve("jupyter");
        };
        return dataDir.resolve("kernels").resolve(options.name()).normalize();
    }

    /** Where {@code jupyter --data-dir} points, following jupyter_core's rules. */
    static Path userJupyterDataDir() {
        String explicit = System.getenv("JUPYTER_DATA_DIR");
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit).toAbsolutePath();
        Path home = Path.of(System.getProperty("user.home"));
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("mac")) return home.resolve("Library").resolve("Jupyter");
        if (KernelSpecInstaller.isWindows()) {
            String appData = System.getenv("APPDATA");
            return (appData != null ? Path.of(appData) : home.resolve("AppData").resolve("Roaming")).resolve("jupyter");
        }
        String xdgData = System.getenv("XDG_DATA_HOME");
        Path dataHome = xdgData != null && !xdgData.isBlank() ? Path.of(xdgData) : home.resolve(".local").resolve("share");
        return dataHome.resolve("jupyter");
    }

    private static Path pythonPrefix(String pythonOption) throws KernelSpecInstaller.InstallException {
        String python = pythonOption;
        if (python == null) {
            String venv = System.getenv("VIRTUAL_ENV");
            python = venv != null && !venv.isBlank()
                    ? Path.of(venv, KernelSpecInstaller.isWindows() ? "Scripts" : "bin", KernelSpecInstaller.isWindows() ? "python.exe" : "python").toString()
                    : (KernelSpecInstaller.isWindows() ? "python" : "python3");
        }
        String hint = "pass --python /path/to/python (the Python that runs Jupyter), or use --user or --prefix DIR";
        try {
            Process process = new ProcessBuilder(python, "-c", "import sys; print(sys.prefix)")
                    .redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new KernelSpecInstaller.InstallException(python + " did not answer within 30 s; " + hint, 1);
            }
            if (process.exitValue() != 0 || output.isEmpty()) {
                throw new KernelSpecInstaller.InstallException(python + " could not report sys.prefix (exit " + process.exitValue()
                        + (output.isEmpty() ? "" : ": " + output) + "); " + hint, 1);
            }
            return Path.of(output.lines().reduce((first, last) -> last).orElseThrow());
        } catch (IOException e) {
            throw new KernelSpecInstaller.InstallException("cannot run Python '" + python + "' for --sys-prefix (" + e.getMessage() + "); " + hint, 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KernelSpecInstaller.InstallException("interrupted while asking " + python + " for sys.prefix", 1);
        }
    }
}
