package dev.relay.webhook.ssrf;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;

/**
 * Last line of the guard, at the head of every new channel's pipeline: checks the socket address
 * the channel is about to connect to, whatever resolved it, and fails the connect without
 * touching the network if the policy refuses it.
 */
@ChannelHandler.Sharable
final class ConnectGuard extends ChannelOutboundHandlerAdapter {

  static final String NAME = "relay.ssrf.connect-guard";

  private final AddressPolicy policy;

  ConnectGuard(AddressPolicy policy) {
    this.policy = policy;
  }

  @Override
  public void connect(
      ChannelHandlerContext ctx,
      SocketAddress remote,
      SocketAddress local,
      ChannelPromise promise) {
    if (!(remote instanceof InetSocketAddress target) || target.isUnresolved()) {
      promise.setFailure(new SsrfRefusedException("connect to an unresolved address refused"));
      return;
    }
    Optional<String> refusal = policy.refusal(target.getAddress());
    if (refusal.isPresent()) {
      promise.setFailure(new SsrfRefusedException(refusal.get()));
      return;
    }
    ctx.connect(remote, local, promise);
  }
}
