package serverlab.servers.process;

import java.io.IOException;

/**
 * The three C calls a master needs to hand its listening socket to a worker ({@link SharedListener}). The JDK
 * offers them only through the foreign-function API, final in JDK 22, while this project compiles for 21: the
 * implementation, {@code NativeDescriptors}, lives in {@code src/main/java22} and is compiled only when Maven runs
 * on JDK 22 or later (servers/pom.xml), so on JDK 21 everything but the shared listener works.
 */
interface Descriptors {

    /** A new descriptor for the same open file, {@code dup(2)}. */
    int dup(int fd) throws IOException;

    /** Makes {@code target} a copy of {@code fd}, closing what {@code target} was, {@code dup2(2)}. */
    void dup2(int fd, int target) throws IOException;

    void close(int fd) throws IOException;

    static Descriptors load() throws IOException {
        int jdk = Runtime.version().feature();
        if (jdk < 22) {
            throw new IOException("a shared listening socket needs JDK 22+ (the foreign-function API); this JVM is " + jdk);
        }
        try {
            return (Descriptors) Class.forName("serverlab.servers.process.NativeDescriptors").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IOException("a shared listening socket needs the servers classes compiled on JDK 22+ (NativeDescriptors is missing)", e);
        }
    }
}
