package serverlab.labs.load;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The requests to send: handler paths with relative weights, each pre-encoded once as the
 * bytes of a keep-alive GET so the hot loop only copies bytes.
 */
final class RequestMix {

    private final String[] paths;
    private final byte[][] requests;
    /** cumulative[i] = sum of weights of paths 0..i, for weighted picks. */
    private final double[] cumulative;

    RequestMix(Map<String, Double> weightedPaths, String hostHeader) {
        if (weightedPaths.isEmpty()) {
            throw new IllegalArgumentException("no request paths");
        }
        int n = weightedPaths.size();
        paths = new String[n];
        requests = new byte[n][];
        cumulative = new double[n];
        double sum = 0;
        int i = 0;
        for (var entry : weightedPaths.entrySet()) {
            if (!(entry.getValue() > 0)) {
                throw new IllegalArgumentException("weight of " + entry.getKey() + " must be positive");
            }
            paths[i] = entry.getKey();
            requests[i] = ("GET " + entry.getKey() + " HTTP/1.1\r\n"
                    + "Host: " + hostHeader + "\r\n"
                    + "User-Agent: serverlab-load\r\n"
                    + "\r\n").getBytes(StandardCharsets.US_ASCII);
            sum += entry.getValue();
            cumulative[i] = sum;
            i++;
        }
    }

    static Map<String, Double> single(String path) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(path, 1.0);
        return m;
    }

    int size() {
        return paths.length;
    }

    String path(int index) {
        return paths[index];
    }

    List<String> paths() {
        return new ArrayList<>(List.of(paths));
    }

    byte[] request(int index) {
        return requests[index];
    }

    int maxRequestLength() {
        int max = 0;
        for (byte[] r : requests) {
            max = Math.max(max, r.length);
        }
        return max;
    }

    int pick(SplittableRandom random) {
        if (paths.length == 1) {
            return 0;
        }
        double x = random.nextDouble() * cumulative[cumulative.length - 1];
        for (int i = 0; i < cumulative.length; i++) {
            if (x < cumulative[i]) {
                return i;
            }
        }
        return cumulative.length - 1;
    }
}
