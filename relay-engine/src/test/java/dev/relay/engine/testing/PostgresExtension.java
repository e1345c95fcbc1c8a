package dev.relay.engine.testing;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test class its own schema on a real Postgres ({@link PostgresServer}): declare a
 * {@link TestDatabase} parameter on a constructor, a {@code @BeforeAll}/{@code @BeforeEach} or a
 * test method. The schema is empty: tests migrate it as production does.
 */
public final class PostgresExtension implements ParameterResolver {
  private static final AtomicInteger counter = new AtomicInteger();
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PostgresExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ExtensionContext classContext = context.getRoot() == context ? context : classContext(context);
    return classContext
        .getStore(NS)
        .getOrComputeIfAbsent("db", key -> newDatabase(classContext), TestDatabase.class);
  }

  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext c = context;
    while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
      c = c.getParent().get();
    }
    return c;
  }

  private static TestDatabase newDatabase(ExtensionContext context) {
    String base = context.getTestClass().map(Class::getSimpleName).orElse("t");
    String schema =
        ("t_" + base.replaceAll("[^A-Za-z0-9]", "") + "_" + counter.incrementAndGet() + "_" + ProcessHandle.current().pid())
            .toLowerCase(Locale.ROOT);
    if (schema.length() > 60) {
      schema = schema.substring(schema.length() - 60);
      schema = "t" + schema.substring(1);
    }
    return new TestDatabase(PostgresServer.get(), schema);
  }
}
