package cloister.acceptance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback TCP forwarder that keeps a copy of every byte in both directions: what clients sent and what the
 * server behind it answered. Used to check what actually crossed the wire.
 */
final class RecordingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final ByteArrayOutputStream toServer = new ByteArrayOutputStream();
    private final ByteArrayOutputStream fromServer = new ByteArrayOutputStream();
    private final List<Socket> sockets = new ArrayList<>();
    private final Thread acceptor;

    RecordingProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofPlatform().daemon().name("proxy-accept").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    String url() {
        return "http://127.0.0.1:" + port();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                synchronized (sockets) {
                    sockets.add(client);
                    sockets.add(upstream);
                }
                pump(client.getInputStream(), upstream.getOutputStream(), toServer, upstream);
                pump(upstream.getInputStream(), client.getOutputStream(), fromServer, client);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void pump(InputStream in, OutputStream out, ByteArrayOutputStream copy, Socket closeAtEnd) {
        Thread.ofPlatform().daemon().name("proxy-pump").start(() -> {
            byte[] buf = new byte[16 * 1024];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    synchronized (copy) {
                        copy.write(buf, 0, n);
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // the other side closed
            } finally {
                try {
                    closeAtEnd.shutdownOutput();
                } catch (IOException e) {
                    // already closed
                }
            }
        });
    }

    /** Everything that went to the server. */
    byte[] sent() {
        synchronized (toServer) {
            return toServer.toByteArray();
        }
    }

    /** Everything the server answered. */
    byte[] received() {
        synchronized (fromServer) {
            return fromServer.toByteArray();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (sockets) {
            for (Socket s : sockets) {
                s.close();
            }
        }
        acceptor.interrupt();
    }
}
