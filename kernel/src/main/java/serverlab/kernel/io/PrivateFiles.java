package serverlab.kernel.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Files only their owner may read: directories 0700, files 0600, opened without following a
 * symbolic link (another user could plant one in a shared directory to redirect our writes).
 */
public final class PrivateFiles {
    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {
    }

    /** The kernel's per-user runtime directory: {@code $XDG_RUNTIME_DIR/serverlab}, else {@code <tmp>/serverlab-<user>}. */
    public static Path runtimeDirectory() throws IOException {
        return runtimeDirectory(System.getenv("XDG_RUNTIME_DIR"), Path.of(System.getProperty("java.io.tmpdir")),
                System.getProperty("user.name"));
    }

    static Path runtimeDirectory(String xdgRuntimeDir, Path tmp, String user) throws IOException {
        Path dir = xdgRuntimeDir != null && !xdgRuntimeDir.isBlank()
                ? Path.of(xdgRuntimeDir, "serverlab")
                : tmp.resolve("serverlab-" + user);
        return directory(dir);
    }

    /**
     * {@code dir}, created 0700 (with any missing parents) when absent. An existing one must be a
     * real directory of ours; it is tightened to 0700.
     */
    public static Path directory(Path dir) throws IOException {
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) directory(parent);
        try {
            Files.createDirectory(dir, attribute(DIRECTORY));
        } catch (FileAlreadyExistsException exists) {
            PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isDirectory()) throw new IOException(dir + " exists and is not a directory (a symbolic link?)");
            if (!attributes.owner().equals(currentUser(dir))) {
                throw new IOException(dir + " belongs to " + attributes.owner().getName() + ", not to this user");
            }
            if (!attributes.permissions().equals(DIRECTORY)) Files.setPosixFilePermissions(dir, DIRECTORY);
        }
        return dir;
    }

    /** Creates {@code file} 0600; fails if anything (a file or a link) is already there. */
    public static FileChannel create(Path file, OpenOption... more) throws IOException {
        return channel(file, StandardOpenOption.CREATE_NEW, more);
    }

    /** Opens {@code file} for writing, creating it 0600 if absent; never through a symbolic link. */
    public static FileChannel open(Path file, OpenOption... more) throws IOException {
        return channel(file, StandardOpenOption.CREATE, more);
    }

    private static FileChannel channel(Path file, OpenOption create, OpenOption... more) throws IOException {
        Set<OpenOption> options = Set.copyOf(Stream.concat(
                Stream.of(create, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), Stream.of(more)).toList());
        return FileChannel.open(file, options, attribute(FILE));
    }

    private static UserPrincipal currentUser(Path onFileSystemOf) throws IOException {
        return onFileSystemOf.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name"));
    }

    private static FileAttribute<Set<PosixFilePermission>> attribute(Set<PosixFilePermission> permissions) {
        return PosixFilePermissions.asFileAttribute(permissions);
    }
}
