package serverlab.labs.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The platform's half of PaaS: an autoscaler for a {@link Cluster}'s app servers, after Knative's. Every
 * {@code sampleEvery} it reads the requests in progress at the balancer ({@link Cluster#requestsInProgress()}),
 * averages them over {@code window}, and wants {@code ceil(average ÷ target)} servers, within min and max:
 * <pre>
 *   wants more  → start them all at once (one nginx reload routes to them), then wait {@code coolDown}
 *   wants fewer → only once it has wanted fewer for {@code scaleDownDelay}: stop the extra ones (drained by a reload)
 * </pre>
 * One scaling action runs at a time, on its own thread, so sampling goes on while JVMs start. Every sample is kept
 * ({@link #timeline()}): what it saw, what it wanted, and what it did. Servers are counted as a cloud bills them:
 * from the moment they are asked for until they are stopped.
 *
 * <pre>{@code
 * try (Autoscaler scaler = Autoscaler.of(cluster).servers(1, 4).targetPerServer(8).start()) { ... }
 * scaler.timeline();
 * }</pre>
 */
public final class Autoscaler implements AutoCloseable {

    /** One sample: at {@code nanos} (System.nanoTime), with {@code servers} billed, what was seen and done. */
    public record Sample(long nanos, int servers, int inProgress, double average, int wanted, String decision) {
    }

    private final Cluster cluster;
    private final Builder config;
    private final long startNanos = System.nanoTime();
    private final Deque<long[]> window = new ArrayDeque<>(); // {nanos, in progress}
    private final List<Sample> timeline = new ArrayList<>();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "autoscaler"));
    private final ExecutorService scaler = Executors.newSingleThreadExecutor(r -> daemon(r, "autoscaler-action"));
    private Future<?> action;
    private int servers;
    private long lastActionEnd = Long.MIN_VALUE / 2;
    private long wantedFewerSince = -1;
    private IOException failure;

    private Autoscaler(Cluster cluster, Builder config) {
        this.cluster = cluster;
        this.config = config;
        this.servers = cluster.liveAppServers();
    }

    public static Builder of(Cluster cluster) {
        return new Builder(cluster);
    }

    /** The policy; defaults suit a load step of a few seconds on this machine. */
    public static final class Builder {
        private final Cluster cluster;
        private int min = 1;
        private int max = 4;
        private double target = 8;
        private Duration sampleEvery = Duration.ofMillis(100);
        private Duration window = Duration.ofSeconds(1);
        private Duration coolDown = Duration.ofMillis(500);
        private Duration scaleDownDelay = Duration.ofSeconds(3);

        private Builder(Cluster cluster) {
            this.cluster = cluster;
        }

        /** Never fewer than {@code min}, never more than {@code max} app servers (default 1 to 4). */
        public Builder servers(int min, int max) {
            if (min < 1 || max < min) throw new IllegalArgumentException("need 1 <= min <= max: " + min + ", " + max);
            this.min = min;
            this.max = max;
            return this;
        }

        /** Requests in progress one app server should carry (Knative's container concurrency target; default 8). */
        public Builder targetPerServer(double requests) {
            if (!(requests > 0)) throw new IllegalArgumentException("target must be positive: " + requests);
            this.target = requests;
            return this;
        }

        /** How often to sample (default 100 ms) and over how long to average (default 1 s). */
        public Builder sampling(Duration every, Duration over) {
            this.sampleEvery = every;
            this.window = over;
            return this;
        }

        /** After an action, how long before the next (default 0.5 s): new servers need a moment to show their effect. */
        public Builder coolDown(Duration d) {
            this.coolDown = d;
            return this;
        }

        /** How long the autoscaler must want fewer servers before it removes any (default 3 s): a dip is not a trend. */
        public Builder scaleDownDelay(Duration d) {
            this.scaleDownDelay = d;
            return this;
        }

        /** Starts watching; the cluster's app servers are first brought within min..max. */
        public Autoscaler start() throws IOException {
            int live = cluster.liveAppServers();
            if (live < min || live > max) cluster.setAppServers(Math.clamp(live, min, max));
            Autoscaler autoscaler = new Autoscaler(cluster, this);
            autoscaler.sampler.scheduleAtFixedRate(autoscaler::sample, 0, sampleEvery.toNanos(), TimeUnit.NANOSECONDS);
            return autoscaler;
        }
    }

    private synchronized void sample() {
        long now = System.nanoTime();
        int inProgress = cluster.requestsInProgress();
        window.addLast(new long[] {now, inProgress});
        while (now - window.peekFirst()[0] > config.window.toNanos()) window.removeFirst();
        double average = window.stream().mapToLong(s -> s[1]).average().orElse(0);
        int wanted = Math.clamp((long) Math.ceil(average / config.target), config.min, config.max);
        timeline.add(new Sample(now, servers, inProgress, average, wanted, decide(now, wanted)));
    }

    /** What to do about wanting {@code wanted} servers; returns the decision as a word for the timeline. */
    private String decide(long now, int wanted) {
        if (action != null && !action.isDone()) return "busy";
        if (wanted >= servers) wantedFewerSince = -1;
        if (now - lastActionEnd < config.coolDown.toNanos()) return "cool-down";
        if (wanted > servers) {
            int more = wanted - servers;
            servers = wanted; // billed from now: the instances are booting
            action = scaler.submit(() -> act(() -> cluster.addServers(more), wanted));
            return "up " + more;
        }
        if (wanted < servers) {
            if (wantedFewerSince < 0) wantedFewerSince = now;
            if (now - wantedFewerSince < config.scaleDownDelay.toNanos()) return "wait";
            wantedFewerSince = -1;
            action = scaler.submit(() -> act(() -> cluster.setAppServers(wanted), wanted));
            return "down " + (servers - wanted);
        }
        return "";
    }

    private interface ClusterChange {
        void run() throws IOException;
    }

    private void act(ClusterChange change, int wanted) {
        try {
            change.run();
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                failure = e instanceof IOException io ? io : new IOException(e);
            }
        }
        synchronized (this) {
            servers = cluster.liveAppServers(); // billed until stopped: a removal counts until it is done
            lastActionEnd = System.nanoTime();
        }
    }

    /** App servers billed right now (running, starting, or still draining). */
    public synchronized int servers() {
        return servers;
    }

    /** The servers billed at {@code nanos} (System.nanoTime): those of the last sample before it. */
    public synchronized int serversAt(long nanos) {
        int billed = timeline.isEmpty() ? servers : timeline.get(0).servers();
        for (Sample s : timeline) {
            if (s.nanos() > nanos) break;
            billed = s.servers();
        }
        return billed;
    }

    /**
     * One row per sample: {@code t_s} (since the autoscaler started), {@code servers} (billed), {@code in_progress}
     * (requests at the balancer), {@code in_progress_avg} (over the window), {@code wanted}, {@code decision}
     * ("up N", "down N", "wait" for the scale-down delay, "cool-down", "busy" while an action runs, or empty).
     */
    public synchronized Table timeline() {
        DoubleColumn t = DoubleColumn.create("t_s");
        IntColumn billed = IntColumn.create("servers");
        IntColumn now = IntColumn.create("in_progress");
        DoubleColumn average = DoubleColumn.create("in_progress_avg");
        IntColumn wanted = IntColumn.create("wanted");
        StringColumn decision = StringColumn.create("decision");
        for (Sample s : timeline) {
            t.append((s.nanos() - startNanos) / 1e9);
            billed.append(s.servers());
            now.append(s.inProgress());
            average.append(s.average());
            wanted.append(s.wanted());
            decision.append(s.decision());
        }
        return Table.create("autoscaler timeline", t, billed, now, average, wanted, decision);
    }

    /** Stops watching and waits for a scaling action in progress; the cluster keeps the servers it has. */
    @Override
    public void close() throws IOException {
        sampler.shutdownNow();
        scaler.shutdown();
        try {
            sampler.awaitTermination(5, TimeUnit.SECONDS);
            scaler.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (failure != null) throw new IOException("a scaling action failed: " + failure.getMessage(), failure);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
