package dev.relay.loadtest.receiver;

/**
 * @param secret the {@code whsec_} secret every endpoint signs with
 * @param host address to bind (loopback by default)
 * @param port port to bind, 0 for a free one
 * @param eventLoops Netty event-loop threads
 * @param maxBodyBytes larger bodies are refused (413) before they are read
 */
public record ReceiverSettings(String secret, String host, int port, int eventLoops, int maxBodyBytes) {
  public static ReceiverSettings of(String secret) {
    return new ReceiverSettings(secret, "127.0.0.1", 0, Math.max(2, Runtime.getRuntime().availableProcessors()),
        1 << 20);
  }
}
