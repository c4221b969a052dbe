package serverlab.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the libraries on the class path add to every notebook, so a new package needs no kernel
 * edit. Each library may ship a {@value #RESOURCE} file of lines:
 * <pre>
 * import serverlab.labs.*                          imported in every cell (as after "import ")
 * display-hook serverlab.labs.display.Displays.install   a static method given the kernel's displayer at start-up
 * # a comment
 * </pre>
 */
public record KernelExtensions(List<String> imports, List<String> displayHooks) {
    public static final String RESOURCE = "META-INF/serverlab/kernel-extension";

    /** Every {@value #RESOURCE} that {@code loader} sees, in class-path order. */
    public static KernelExtensions load(ClassLoader loader) {
        List<String> imports = new ArrayList<>();
        List<String> hooks = new ArrayList<>();
        try {
            for (URL url : Collections.list(loader.getResources(RESOURCE))) {
                try (InputStream in = url.openStream()) {
                    for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                        String entry = line.strip();
                        if (entry.startsWith("import ")) imports.add(entry.substring("import ".length()).strip());
                        else if (entry.startsWith("display-hook ")) hooks.add(entry.substring("display-hook ".length()).strip());
                        else if (!entry.isEmpty() && !entry.startsWith("#")) {
                            throw new IllegalArgumentException(url + ": expected 'import ...' or 'display-hook ...', got: " + entry);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return new KernelExtensions(List.copyOf(imports), List.copyOf(hooks));
    }

    /** Calls each display hook with {@code displayer}: a public static method of one parameter that accepts it. */
    public void installDisplayHooks(Object displayer, ClassLoader loader) {
        for (String hook : displayHooks) {
            int dot = hook.lastIndexOf('.');
            try {
                Class<?> owner = Class.forName(hook.substring(0, dot), true, loader);
                Method method = null;
                for (Method candidate : owner.getMethods()) {
                    if (candidate.getName().equals(hook.substring(dot + 1)) && Modifier.isStatic(candidate.getModifiers())
                            && candidate.getParameterCount() == 1 && candidate.getParameterTypes()[0].isInstance(displayer)) {
                        method = candidate;
                    }
                }
                if (method == null) throw new NoSuchMethodException("no public static " + hook + "(" + displayer.getClass().getName() + ")");
                method.invoke(null, displayer);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException(RESOURCE + ": display-hook " + hook + " failed: " + e, e);
            }
        }
    }
}
