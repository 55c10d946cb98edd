import com.sun.net.httpserver.HttpServer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

/**
 * The benchmark's HTTP target: answers every request after a fixed delay, on loopback, one virtual thread per request
 * so that ten thousand waiting requests cost nothing. Run with: java bench/DelayServer.java PORT DELAY_MS
 */
public class DelayServer {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long delay = Long.parseLong(args[1]);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16384);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        byte[] body = "ok\n".getBytes();
        server.createContext("/", ex -> {
            try {
                Thread.sleep(delay);
                ex.getRequestBody().readAllBytes();
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                ex.close();
            }
        });
        server.start();
        System.out.println("ready on " + port);
    }
}
