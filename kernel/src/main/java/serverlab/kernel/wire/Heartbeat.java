package serverlab.kernel.wire;

import org.zeromq.ZMQ;

/** Echoes heartbeat pings so the client knows the kernel process is alive. */
final class Heartbeat {
    private final ZMQ.Socket socket;
    private volatile boolean running = true;

    /** Serves {@code socket}, a bound REP socket. */
    Heartbeat(ZMQ.Socket socket) {
        this.socket = socket;
        socket.setReceiveTimeOut(500);   // wakes up now and then to notice close()
        Thread thread = new Thread(this::run, "heartbeat");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            try {
                byte[] ping = socket.recv(0);
                if (ping != null) socket.send(ping, 0);
            } catch (RuntimeException e) {
                if (!running) break;   // the context is closing: close the socket so it can end
            }
        }
        socket.close();
    }

    void close() {
        running = false;
    }
}
