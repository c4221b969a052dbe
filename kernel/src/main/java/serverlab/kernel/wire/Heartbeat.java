package serverlab.kernel.wire;

import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/** Echoes heartbeat pings so the client knows the kernel process is alive. */
final class Heartbeat {
    private final ZMQ.Socket socket;
    private volatile boolean running = true;

    Heartbeat(ZMQ.Context context, String address) {
        socket = context.socket(SocketType.REP);
        socket.bind(address);
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
                if (!running) return;
            }
        }
        socket.close();
    }

    void close() {
        running = false;
    }
}
