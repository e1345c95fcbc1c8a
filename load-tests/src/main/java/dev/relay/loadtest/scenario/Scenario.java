package dev.relay.loadtest.scenario;

import dev.relay.loadtest.report.RunReport;
import java.util.List;
import java.util.Map;

/** A named load run. Implementations are stateless; {@link #run} does everything for one invocation. */
public interface Scenario {
  /** The command-line name, e.g. {@code drain}. */
  String name();

  /** One line for --help, ideally with the sizes it uses by default. */
  String summary();

  /** Option defaults of this scenario (option name without dashes → value); the user's options win. */
  Map<String, String> defaults();

  /**
   * The words this scenario takes after its name ({@code reliability kill9}); empty (the default)
   * if it takes none.
   */
  default List<String> operands() {
    return List.of();
  }

  RunReport run(ScenarioContext context) throws Exception;
}
