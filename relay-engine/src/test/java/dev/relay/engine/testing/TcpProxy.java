package dev.relay.engine.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP proxy for fault tests: forwards a local port to a target, and can stop forwarding without
 * closing anything (a frozen network: reads never return, as in a blackhole), refuse new
 * connections, or reset every connection (a database restart, seen from the client). Plain
 * blocking sockets on daemon threads: it is test code.
 */
public final class TcpProxy implements AutoCloseable {
  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "tcp-proxy");
    t.setDaemon(true);
    return t;
  });
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final java.util.Set<Socket> frozenSockets = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean frozen;
  private volatile boolean refusing;
  private volatile boolean closed;

  public TcpProxy(String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    try {
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    threads.submit(this::accept);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Stops moving bytes in both directions on every connection, old and new; nothing is closed. */
  public void freeze() {
    frozen = true;
  }

  /** Freezes the connections open now; new ones work (a half-dead NAT, a failed-over proxy). */
  public void freezeExisting() {
    frozenSockets.addAll(open);
  }

  public void thaw() {
    frozen = false;
    frozenSockets.clear();
  }

  /** New connections are accepted and closed at once, as when the server is down. */
  public void refuse(boolean refuse) {
    this.refusing = refuse;
  }

  /** Closes every open connection, as a database restart does. */
  public void resetAll() {
    for (Socket s : open) {
      try {
        s.setSoLinger(true, 0);
        s.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
    open.clear();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        if (refusing) {
          client.close();
          continue;
        }
        Socket upstream = new Socket(targetHost, targetPort);
        open.add(client);
        open.add(upstream);
        threads.submit(() -> pump(client, upstream));
        threads.submit(() -> pump(upstream, client));
      } catch (IOException e) {
        if (!closed) {
          sleep(10);
        }
      }
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        while ((frozen || frozenSockets.contains(from)) && !closed && !from.isClosed()) {
          sleep(5);
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (SocketException e) {
      // reset or closed
    } catch (IOException e) {
      // the other side went away
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(java.io.Closeable s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(server);
    resetAll();
    threads.shutdownNow();
  }
}
