package serverlab.servers.process;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;

/** {@link Descriptors} as calls into the C library through the foreign-function API (JDK 22+). */
final class NativeDescriptors implements Descriptors {

    private static final MethodHandle DUP = function("dup", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle DUP2 = function("dup2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = function("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    @Override
    public int dup(int fd) throws IOException {
        return call("dup", DUP, fd);
    }

    @Override
    public void dup2(int fd, int target) throws IOException {
        call("dup2", DUP2, fd, target);
    }

    @Override
    public void close(int fd) throws IOException {
        call("close", CLOSE, fd);
    }

    private static MethodHandle function(String name, FunctionDescriptor signature) {
        Linker linker = Linker.nativeLinker();
        return linker.downcallHandle(linker.defaultLookup().find(name).orElseThrow(), signature);
    }

    /** The C function's result; -1 (its error) as an exception. */
    private static int call(String name, MethodHandle function, int... args) throws IOException {
        int result;
        try {
            result = (int) function.invokeWithArguments(Arrays.stream(args).boxed().toArray());
        } catch (Throwable t) {
            throw new IllegalStateException(name + " could not be called", t);
        }
        if (result < 0) {
            throw new IOException(name + Arrays.toString(args) + " failed");
        }
        return result;
    }
}
