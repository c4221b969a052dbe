package serverlab.kernel.eval;

import jdk.jshell.JShell;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import serverlab.kernel.CellRun;
import serverlab.kernel.KernelExtensions;

import java.util.List;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CellEvaluatorTest {
    private static CellEvaluator evaluator;
    private static int count;

    @BeforeAll
    static void start() {
        evaluator = new CellEvaluator(System.getProperty("java.class.path"),
                KernelExtensions.load(CellEvaluatorTest.class.getClassLoader()).imports(), null);
        evaluator.awaitReady();
    }

    @AfterAll
    static void stop() {
        evaluator.jshell().close();
    }

    private static Outcome eval(String cell) {
        return evaluator.eval(cell, new CellRun(++count, null, null, true));
    }

    private static long activeSnippets() {
        JShell jshell = evaluator.jshell();
        return jshell.snippets().filter(s -> jshell.status(s).isActive()).count();
    }

    @Test
    void expressionValuesAreShownButNotKeptAsSnippets() {
        eval("int kept = 21;");
        long before = activeSnippets();
        for (int i = 0; i < 20; i++) {
            Outcome outcome = eval("kept * 2 + " + i);
            assertEquals(42 + i, assertInstanceOf(Outcome.Value.class, outcome).value());
        }
        assertInstanceOf(Outcome.Failure.class, eval("kept / 0"));
        assertEquals(before, activeSnippets(), "each expression left a $N snippet behind");
        assertEquals(21, assertInstanceOf(Outcome.Value.class, eval("kept")).value());
    }

    @Test
    void valueOfADroppedExpressionStaysLive() throws Exception {
        eval("var pool = java.util.concurrent.Executors.newSingleThreadExecutor();");
        Outcome outcome = eval("pool.submit(() -> { Thread.sleep(200); return 7; })");
        Future<?> future = (Future<?>) assertInstanceOf(Outcome.Value.class, outcome).value();
        assertEquals(7, future.get());
        eval("pool.shutdown();");
    }

    @Test
    void referringToADroppedValueSaysWhatToDo() {
        eval("40 + 2");
        Outcome.Failure failure = assertInstanceOf(Outcome.Failure.class, eval("int later = $1 + 1;"));
        assertEquals("CompileError", failure.ename());
        org.junit.jupiter.api.Assertions.assertTrue(String.join("\n", failure.traceback()).contains("assign the value to a variable"),
                () -> String.join("\n", failure.traceback()));
    }

    @Test
    void declarationsAreKept() {
        long before = activeSnippets();
        eval("int declaredOnce = 1;");
        eval("String greet() { return \"hi\"; }");
        assertEquals(before + 2, activeSnippets());
        assertEquals("hi1", assertInstanceOf(Outcome.Value.class, eval("greet() + declaredOnce")).value());
    }

    @Test
    void aLibraryOnTheClassPathContributesItsImports() {
        // src/test/resources/META-INF/serverlab/kernel-extension imports serverlab.kernel.extensiontest.*
        Outcome outcome = eval("Greeting.hello()");
        assertInstanceOf(Outcome.Value.class, outcome, outcome.toString());
        assertEquals("hello from an extension", ((Outcome.Value) outcome).value());
    }

    @Test
    void theDefaultImportsAreOneSnippet() {
        // One compile at start instead of one per import; the JDK's, the kernel's and the extension's all in it.
        List<String> imports = evaluator.jshell().imports().filter(i -> evaluator.jshell().status(i).isActive())
                .map(i -> i.source()).toList();
        assertEquals(1, imports.size(), imports.toString());
        assertTrue(imports.get(0).startsWith("import static serverlab.kernel.Notebook.*;"), imports.get(0));
        assertTrue(imports.get(0).contains("import serverlab.kernel.extensiontest.*;"), imports.get(0));
    }

    @Test
    void aCellThatImportsADefaultPackageAgainKeepsTheOthers() {
        assertEquals(Outcome.DONE, eval("import java.util.concurrent.*;"));
        Outcome map = eval("new ConcurrentHashMap<String, Integer>().size()");
        assertEquals(0, assertInstanceOf(Outcome.Value.class, map, map.toString()).value());
        Outcome list = eval("new ArrayList<String>(List.of(\"a\")).size()");
        assertEquals(1, assertInstanceOf(Outcome.Value.class, list, list.toString()).value());
        Outcome greeting = eval("Greeting.hello()");
        assertEquals("hello from an extension", assertInstanceOf(Outcome.Value.class, greeting, greeting.toString()).value());
    }

    @Test
    void aPackageALibraryLacksIsSkippedAndTheOtherImportsStay() {
        CellEvaluator withMissing = new CellEvaluator(System.getProperty("java.class.path"),
                List.of("serverlab.kernel.extensiontest.*", "no.such.library.pkg.*"), null);
        try {
            Outcome greeting = withMissing.eval("Greeting.hello()", new CellRun(1, null, null, true));
            assertEquals("hello from an extension", assertInstanceOf(Outcome.Value.class, greeting, greeting.toString()).value());
            Outcome list = withMissing.eval("new ArrayList<String>().size()", new CellRun(2, null, null, true));
            assertEquals(0, assertInstanceOf(Outcome.Value.class, list, list.toString()).value());
        } finally {
            withMissing.jshell().close();
        }
    }
}
