package dev.relay.loadtest.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Finds the packaged relay: --relay-jar, $RELAY_JAR, -Drelay.jar, or relay-app/target/relay.jar near here. */
final class RelayJar {
  private RelayJar() {}

  static Path locate(@Nullable Path option) {
    List<Path> candidates = new ArrayList<>();
    if (option != null) {
      candidates.add(option);
    } else {
      String env = System.getenv("RELAY_JAR");
      String property = System.getProperty("relay.jar");
      if (env != null && !env.isBlank()) {
        candidates.add(Path.of(env));
      }
      if (property != null && !property.isBlank()) {
        candidates.add(Path.of(property));
      }
      candidates.add(Path.of("relay-app", "target", "relay.jar"));
      candidates.add(Path.of("..", "relay-app", "target", "relay.jar"));
    }
    for (Path p : candidates) {
      if (Files.isRegularFile(p)) {
        return p.toAbsolutePath().normalize();
      }
    }
    throw new IllegalArgumentException("relay.jar not found (looked at " + candidates + "); build it with "
        + "./mvnw -q install -DskipTests, or pass --relay-jar");
  }
}
