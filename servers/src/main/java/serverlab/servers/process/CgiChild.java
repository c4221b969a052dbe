package serverlab.servers.process;

import java.io.IOException;
import java.io.OutputStream;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import serverlab.servers.ServerStats;
import serverlab.servers.handlers.Workloads;
import serverlab.servers.http.HttpRequest;
import serverlab.servers.http.Response;
import serverlab.servers.http.Status;

/**
 * The program {@link ProcessPerRequestServer} runs once per request, as a CGI script: the request line and
 * headers arrive in environment variables, the body on stdin; the answer goes to stdout as CGI headers
 * ({@code Status:}, {@code Content-Type:}) and the body. Then the process exits; nothing is reused.
 * Argument: the data directory (all a child needs of the server's options).
 */
public final class CgiChild {

    /** Response header naming the process that served the request. */
    public static final String SERVED_BY = "X-Served-By-Pid";

    /** Environment variable with the pid of the server that started this child. */
    static final String PARENT_PID = "SERVERLAB_PARENT_PID";

    public static void main(String[] args) throws IOException {
        Map<String, String> env = System.getenv();
        ParentWatchdog.pollParent(Long.parseLong(env.get(PARENT_PID)));
        byte[] body = System.in.readNBytes(Integer.parseInt(env.getOrDefault("CONTENT_LENGTH", "0")));

        HttpRequest request = new HttpRequest(env.get("REQUEST_METHOD"), env.get("REQUEST_URI"), env.get("PATH_INFO"),
                env.getOrDefault("QUERY_STRING", ""), env.get("SERVER_PROTOCOL").endsWith("1.0") ? 0 : 1,
                headersFrom(env), body, true);
        Response response;
        try {
            // one request per process: no counters to report beyond this one
            response = new Workloads(Path.of(args[0]),
                    () -> new ServerStats(1, 1, 1, 0, Map.of())).handle(request).awaitDue();
        } catch (Exception e) {
            response = Response.error(Status.INTERNAL_ERROR, e.toString(), false);
        }

        OutputStream stdout = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 16 << 10);
        // Content-Length too: for HEAD no body follows (RFC 3875 4.3.2), yet the server must announce its length
        String head = "Status: " + response.status() + " " + Status.reason(response.status()) + "\r\n"
                + "Content-Type: " + response.contentType() + "\r\n"
                + "Content-Length: " + response.bodyLength() + "\r\n"
                + SERVED_BY + ": " + ProcessHandle.current().pid() + "\r\n"
                + response.extraHeaders() + "\r\n";
        stdout.write(head.getBytes(StandardCharsets.ISO_8859_1));
        if (!request.isHead()) {
            Channels.newChannel(stdout).write(response.body().duplicate());
        }
        stdout.flush();
        Runtime.getRuntime().halt(0); // the answer is out; skip shutdown hooks
    }

    // HTTP_USER_AGENT=curl → "User-Agent: curl" (CGI folds names to upper case and '-' to '_')
    private static List<HttpRequest.Header> headersFrom(Map<String, String> env) {
        List<HttpRequest.Header> headers = new ArrayList<>();
        env.forEach((name, value) -> {
            if (name.startsWith("HTTP_")) {
                StringBuilder header = new StringBuilder();
                for (String word : name.substring(5).toLowerCase(Locale.ROOT).split("_")) {
                    if (!header.isEmpty()) {
                        header.append('-');
                    }
                    header.append(word.isEmpty() ? "" : Character.toUpperCase(word.charAt(0)) + word.substring(1));
                }
                headers.add(new HttpRequest.Header(header.toString(), value));
            }
        });
        return headers;
    }
}
