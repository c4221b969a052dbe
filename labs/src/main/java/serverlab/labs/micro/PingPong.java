package serverlab.labs.micro;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * Two threads handing a baton back and forth, each blocking (parking, never spinning)
 * until it is its turn: every hand-over is a context switch — an OS one for platform
 * threads, a continuation switch on a carrier thread for virtual threads.
 */
final class PingPong implements AutoCloseable {

    private final Thread ping;
    private final Thread pong;
    private volatile int turn; // 0: ping may run, 1: pong may run
    private volatile int roundsRequested;
    private volatile CountDownLatch done;
    private volatile boolean stopped;

    PingPong(Thread.Builder builder) {
        pong = builder.unstarted(this::pongLoop);
        ping = builder.unstarted(this::pingLoop);
        pong.start();
        ping.start();
    }

    /** Runs {@code rounds} round trips (2 switches each) and waits for them. */
    void roundTrips(int rounds) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(1);
        done = latch;
        roundsRequested = rounds;
        LockSupport.unpark(ping);
        latch.await();
    }

    private void pingLoop() {
        while (!stopped) {
            int rounds = roundsRequested;
            if (rounds == 0) {
                LockSupport.park(this);
                continue;
            }
            roundsRequested = 0;
            for (int i = 0; i < rounds && !stopped; i++) {
                turn = 1;
                LockSupport.unpark(pong);
                while (turn != 0 && !stopped) {
                    LockSupport.park(this);
                }
            }
            done.countDown();
        }
    }

    private void pongLoop() {
        while (!stopped) {
            while (turn != 1 && !stopped) {
                LockSupport.park(this);
            }
            turn = 0;
            LockSupport.unpark(ping);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        LockSupport.unpark(ping);
        LockSupport.unpark(pong);
        ping.join(1000);
        pong.join(1000);
    }
}
