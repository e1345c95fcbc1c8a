package dev.relay.loadtest.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** A port free on loopback right now (another process could still take it before it is used). */
final class FreePorts {
  private FreePorts() {}

  static int next() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}
