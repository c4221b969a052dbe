package serverlab.servers.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one per-user cache directory every ServerLab JVM shares (generated sample files, binaries compiled for the
 * chapters). Candidates, first usable wins: {@code $XDG_CACHE_HOME/serverlab}, {@code $HOME/.cache/serverlab} (the
 * session's home), {@code ~/.cache/serverlab} (the account's home, Java's {@code user.home}), then
 * {@code <tmp>/serverlab-cache-<user>}: system users such as {@code nobody} have a home that does not exist.
 */
public final class UserCache {

    private UserCache() {
    }

    public static Path directory() {
        return directory(System.getenv(), System.getProperty("user.home"), Path.of(System.getProperty("java.io.tmpdir")),
                System.getProperty("user.name"));
    }

    static Path directory(Map<String, String> env, String userHome, Path tmp, String user) {
        List<Path> candidates = new ArrayList<>();
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) candidates.add(Path.of(xdg, "serverlab"));
        String home = env.get("HOME");
        if (home != null && !home.isBlank()) candidates.add(Path.of(home, ".cache", "serverlab"));
        if (userHome != null && !userHome.isBlank()) candidates.add(Path.of(userHome, ".cache", "serverlab"));
        for (Path candidate : candidates) {
            if (usable(candidate)) return candidate;
        }
        Path shared = tmp.resolve("serverlab-cache-" + user);
        try {
            if (!Files.isDirectory(shared)) Files.createDirectory(shared, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            if (Files.getOwner(shared, LinkOption.NOFOLLOW_LINKS).getName().equals(user) && Files.isWritable(shared)) return shared;
            throw new IOException(shared + " is not a directory of " + user);   // another user's, made to trap ours
        } catch (IOException e) {
            throw new UncheckedIOException("no usable cache directory: tried " + candidates + " and " + shared, e);
        }
    }

    private static boolean usable(Path dir) {
        try {
            Files.createDirectories(dir);
            return Files.isWritable(dir);
        } catch (IOException | SecurityException e) {
            return false;
        }
    }
}
