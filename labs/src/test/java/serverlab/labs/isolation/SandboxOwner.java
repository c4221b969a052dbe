package serverlab.labs.isolation;

import serverlab.servers.ServerOptions;

/** A JVM that starts a sandbox, prints its id and waits: the test kills it with SIGKILL, as a crashing kernel would die. */
public final class SandboxOwner {

    public static void main(String[] args) throws InterruptedException {
        Sandbox box = Sandbox.builder().engine(Sandbox.Engine.valueOf(args[0])).memory(256L << 20).start("event-loop", ServerOptions.defaults());
        System.out.println(box.id() + " " + box.pid());
        System.out.flush();
        Thread.sleep(120_000);
    }
}
