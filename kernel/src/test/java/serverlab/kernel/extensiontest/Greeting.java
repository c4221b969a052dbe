package serverlab.kernel.extensiontest;

/** A class of a package that only the test class path's kernel-extension file imports. */
public final class Greeting {
    private Greeting() {
    }

    public static String hello() {
        return "hello from an extension";
    }
}
