package serverlab.labs.cluster;

import java.nio.file.Path;

/** A JVM that starts a data tier (kind, directory) and waits to be killed: a notebook kernel dying mid-run. */
public final class DataTierOwner {

    private DataTierOwner() {
    }

    public static void main(String[] args) throws InterruptedException {
        DataTier tier = DataTier.start(DataTier.Kind.valueOf(args[0]), Path.of(args[1]));
        System.out.println("ready " + tier.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
