package dev.relay.app.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import dev.relay.app.config.LoggingConfig;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** Applies {@code logging.*} from the configuration to logback at start. */
public final class Logging {
  private Logging() {}

  public static void configure(LoggingConfig config) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return; // another SLF4J binding is in charge (e.g. an embedding application)
    }
    Encoder<ILoggingEvent> encoder = config.format() == LoggingConfig.Format.JSON ? JsonLines.encoder(context)
        : plainEncoder(context);
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("console");
    console.setTarget("System.err");
    console.setEncoder(encoder);
    console.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    root.addAppender(console);
    root.setLevel(Level.toLevel(config.level(), Level.INFO));
    routeJavaUtilLogging(context);
  }

  /**
   * java.util.logging (the OpenTelemetry SDK's, e.g. a failed span export) goes through logback
   * too: same format, same redaction. Logback's levels are copied to JUL so disabled records cost
   * nothing.
   */
  private static void routeJavaUtilLogging(LoggerContext context) {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
      LevelChangePropagator levels = new LevelChangePropagator();
      levels.setContext(context);
      levels.setResetJUL(true);
      levels.start();
      context.addListener(levels);
    }
  }

  /** {@code logging.format: plain}: {@link RedactingLayout} lines. */
  static Encoder<ILoggingEvent> plainEncoder(LoggerContext context) {
    RedactingLayout layout = new RedactingLayout();
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    return encoder;
  }

  /** Sets one logger's level, e.g. to quieten a noisy library in {@code relay demo}. */
  public static void level(String logger, String level) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger(logger).setLevel(Level.toLevel(level, Level.INFO));
    }
  }
}
