package serverlab.labs.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class with quick mode off, whatever the environment says: CI exports {@code SERVERLAB_QUICK=1}
 * for the notebooks, and a test that asserts on a sweep's rows or a run's length needs them full-sized.
 * The previous {@code serverlab.quick} property is restored afterwards.
 */
public final class FullLength implements BeforeAllCallback, AfterAllCallback {

    private static final String PROPERTY = "serverlab.quick";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(FullLength.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        String before = System.getProperty(PROPERTY);
        context.getStore(NAMESPACE).put(PROPERTY, before == null ? "" : before);
        System.setProperty(PROPERTY, "0");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        String before = context.getStore(NAMESPACE).get(PROPERTY, String.class);
        if (before == null || before.isEmpty()) System.clearProperty(PROPERTY);
        else System.setProperty(PROPERTY, before);
    }
}
