package serverlab.labs.isolation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Linux initramfs written from Java: a cpio archive in the "newc" format, which the kernel unpacks into its
 * first root file system and then runs {@code /init} from. Each entry is a 110-byte ASCII header (13 fields of
 * 8 hex digits after the magic {@code 070701}), the NUL-terminated name and the content, each padded to 4
 * bytes; an entry named {@code TRAILER!!!} ends the archive. Written here, a device node needs no root
 * (mknod would), and the cpio tool is not needed.
 */
final class Initramfs {

    private static final int DIRECTORY = 0040000;
    private static final int REGULAR = 0100000;
    private static final int CHARACTER_DEVICE = 0020000;

    private final ByteArrayOutputStream archive = new ByteArrayOutputStream();
    private int inode = 1;

    Initramfs directory(String path) {
        return entry(path, DIRECTORY | 0755, new byte[0], 0, 0);
    }

    Initramfs file(String path, int permissions, byte[] content) {
        return entry(path, REGULAR | permissions, content, 0, 0);
    }

    /** {@code /dev/console} (5, 1) must exist before {@code /init} runs: the kernel opens it as init's stdin/stdout. */
    Initramfs characterDevice(String path, int major, int minor) {
        return entry(path, CHARACTER_DEVICE | 0600, new byte[0], major, minor);
    }

    /** The archive with its trailer, written to {@code file}. */
    Path writeTo(Path file) throws IOException {
        entry("TRAILER!!!", 0, new byte[0], 0, 0);
        return Files.write(file, archive.toByteArray());
    }

    private Initramfs entry(String path, int mode, byte[] content, int major, int minor) {
        byte[] name = (path + "\0").getBytes(StandardCharsets.US_ASCII);
        int links = (mode & DIRECTORY) != 0 ? 2 : 1;
        long[] fields = {mode == 0 ? 0 : inode++, mode, 0, 0, links, 0, content.length, 0, 0, major, minor, name.length, 0};
        StringBuilder header = new StringBuilder("070701");             // ino mode uid gid nlink mtime filesize
        for (long field : fields) header.append("%08X".formatted(field)); // devmajor devminor rdevmajor rdevminor namesize check
        archive.writeBytes(header.toString().getBytes(StandardCharsets.US_ASCII));
        archive.writeBytes(name);
        pad();
        archive.writeBytes(content);
        pad();
        return this;
    }

    private void pad() {
        while (archive.size() % 4 != 0) archive.write(0);
    }
}
