package dev.relay.app.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every key relay.yaml knows, read from the section records: what {@code RELAY_*} environment
 * variables may set. {@code endpoints[]} stands for each endpoint of the file.
 */
final class KeySchema {
  /** A key that takes a value: a single one, or a comma-separated list in the environment. */
  record Leaf(String path, boolean list) {}

  private static final PropertyNamingStrategies.NamingBase KEBAB =
      (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.KEBAB_CASE;

  static final List<Leaf> LEAVES = leaves(RelayFile.class, "");

  private KeySchema() {}

  private static List<Leaf> leaves(Class<?> record, String prefix) {
    List<Leaf> out = new ArrayList<>();
    for (RecordComponent c : record.getRecordComponents()) {
      String path = prefix + KEBAB.translate(c.getName());
      Class<?> type = c.getType();
      if (type.isRecord()) {
        out.addAll(leaves(type, path + "."));
      } else if (List.class.isAssignableFrom(type)) {
        Class<?> element = element(c.getGenericType());
        if (element.isRecord()) {
          out.addAll(leaves(element, path + "[]."));
        } else {
          out.add(new Leaf(path, true));
        }
      } else if (!Map.class.isAssignableFrom(type)) {
        out.add(new Leaf(path, false));
      }
    }
    return List.copyOf(out);
  }

  private static Class<?> element(Type type) {
    Type arg = ((ParameterizedType) type).getActualTypeArguments()[0];
    return arg instanceof Class<?> c ? c : (Class<?>) ((ParameterizedType) arg).getRawType();
  }
}
