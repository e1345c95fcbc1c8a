package dev.relay.loadtest.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.file.Path;

/** The whole report, time series included, as snake_case JSON. */
public final class JsonReport {
  private static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT);

  private JsonReport() {}

  public static void write(RunReport report, Path file) throws IOException {
    JSON.writeValue(file.toFile(), report);
  }

  public static String render(RunReport report) throws IOException {
    return JSON.writeValueAsString(report);
  }
}
