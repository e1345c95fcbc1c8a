package dev.relay.loadtest.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A TCP proxy on loopback in front of one target (Postgres) that can black-hole: while {@link
 * #blackhole() black-holed}, no byte moves in either direction and nothing is closed or reset,
 * on old connections and on new ones (accepted but not connected onward), as when a network path
 * silently drops packets. Bytes and closes that arrive meanwhile are held, and delivered in order
 * after {@link #restore()}, as TCP retransmission would once the path is back.
 *
 * <p>Netty with auto-read off: each side reads its next message only after the previous one was
 * written to the other side, so a black-holed connection stops reading and the kernel's buffers
 * push back on the sender.
 */
public final class BlackholeProxy implements AutoCloseable {
  private final InetSocketAddress target;
  private final EventLoopGroup loops = new NioEventLoopGroup(1, new DefaultThreadFactory("blackhole-proxy", true));
  private final Set<Side> sides = ConcurrentHashMap.newKeySet();
  private final Channel server;
  private volatile boolean blackholed;

  private BlackholeProxy(InetSocketAddress target) throws InterruptedException {
    this.target = target;
    this.server = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.AUTO_READ, false)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new Side(null));
          }
        })
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
  }

  /** Listens on a free loopback port and forwards every connection to {@code host:port}. */
  public static BlackholeProxy start(String host, int port) throws InterruptedException {
    return new BlackholeProxy(new InetSocketAddress(host, port));
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** From now on nothing moves and nothing closes, until {@link #restore()}. */
  public void blackhole() {
    blackholed = true;
  }

  /** Forwards again: what was held goes first, then connections go on (or close) as they would have. */
  public void restore() {
    blackholed = false;
    for (Side s : sides) {
      s.context().channel().eventLoop().execute(s::resume);
    }
  }

  public boolean blackholed() {
    return blackholed;
  }

  @Override
  public void close() throws InterruptedException {
    server.close().sync();
    for (Side s : sides) {
      s.context().close();
    }
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  /**
   * One end of a proxied connection: reads from its channel and writes to its peer. The client's
   * side connects the upstream side when it becomes active (or on restore, if black-holed then).
   * Every method runs on the connection's event loop.
   */
  private final class Side extends ChannelInboundHandlerAdapter {
    private final Queue<Object> held = new ArrayDeque<>();
    private @Nullable Side peer;
    private @Nullable ChannelHandlerContext ctx;
    private boolean closeHeld;

    Side(@Nullable Side peer) {
      this.peer = peer;
    }

    ChannelHandlerContext context() {
      if (ctx == null) {
        throw new IllegalStateException("not yet added to a pipeline");
      }
      return ctx;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
      this.ctx = context;
      sides.add(this);
    }

    @Override
    public void channelActive(ChannelHandlerContext context) {
      if (peer == null && !blackholed) {
        connectUpstream();
      } else if (peer != null && !blackholed) {
        context.read();
        peer.context().read();
      }
    }

    private void connectUpstream() {
      Channel front = context().channel();
      Side upstream = new Side(this);
      peer = upstream;
      new Bootstrap().group(front.eventLoop()).channel(NioSocketChannel.class)
          .option(ChannelOption.AUTO_READ, false)
          .handler(upstream)
          .connect(target)
          .addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
              front.close();
            }
          });
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
      if (blackholed || peer == null) {
        held.add(msg);
        return;
      }
      forward(msg);
    }

    private void forward(Object msg) {
      Side to = peer;
      if (to == null || !to.context().channel().isActive()) {
        ReferenceCountUtil.release(msg);
        return;
      }
      to.context().writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
        if (!f.isSuccess()) {
          f.channel().close();
          context().close();
        } else if (!blackholed) {
          context().read();
        }
      });
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
      if (blackholed) {
        closeHeld = true;
        return;
      }
      closePeer();
    }

    private void closePeer() {
      sides.remove(this);
      Side to = peer;
      if (to != null && to.context().channel().isActive()) {
        to.context().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
    }

    /** After a blackhole: connect if never connected, deliver what was held, close if a close was held, read on. */
    void resume() {
      if (peer == null) {
        if (context().channel().isActive()) {
          connectUpstream();
        }
        return;
      }
      while (!held.isEmpty()) {
        forward(held.poll());
      }
      if (closeHeld) {
        closePeer();
      } else if (context().channel().isActive()) {
        context().read();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
      context.close();
    }
  }
}
