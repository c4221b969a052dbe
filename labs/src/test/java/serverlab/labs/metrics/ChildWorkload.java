package serverlab.labs.metrics;

import java.util.concurrent.SynchronousQueue;

/**
 * A child JVM with known figures, for probe tests. Arguments (any combination):
 * {@code threads=N} sleeping threads, {@code touchMb=M} a touched array of M MiB,
 * {@code pingpong} two threads handing a token back and forth (many voluntary context
 * switches outside the main thread), {@code spawn} a {@code sleep} grandchild process.
 * Prints "ready" once everything is in place, then waits until stdin closes.
 */
public final class ChildWorkload {

    static byte[] retained;

    public static void main(String[] args) throws Exception {
        Process grandchild = null;
        for (String arg : args) {
            if (arg.startsWith("threads=")) {
                int n = Integer.parseInt(arg.substring("threads=".length()));
                for (int i = 0; i < n; i++) {
                    Thread t = new Thread(() -> sleepForever(), "sleeper-" + i);
                    t.setDaemon(true);
                    t.start();
                }
            } else if (arg.startsWith("touchMb=")) {
                int mb = Integer.parseInt(arg.substring("touchMb=".length()));
                retained = new byte[mb * 1024 * 1024];
                for (int i = 0; i < retained.length; i += 4096) {
                    retained[i] = 1; // make every page resident
                }
            } else if (arg.equals("pingpong")) {
                startPingPong();
            } else if (arg.equals("spawn")) {
                grandchild = new ProcessBuilder("sleep", "120").start();
            }
        }
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for the parent to close our stdin
        }
        if (grandchild != null) {
            grandchild.destroyForcibly();
        }
        System.exit(0);
    }

    private static void startPingPong() {
        var ping = new SynchronousQueue<Integer>();
        var pong = new SynchronousQueue<Integer>();
        Thread a = new Thread(() -> {
            try {
                while (true) {
                    ping.put(1);
                    pong.take();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread b = new Thread(() -> {
            try {
                while (true) {
                    ping.take();
                    pong.put(1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        a.setDaemon(true);
        b.setDaemon(true);
        a.start();
        b.start();
    }

    private static void sleepForever() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
