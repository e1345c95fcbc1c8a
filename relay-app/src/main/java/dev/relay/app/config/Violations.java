package dev.relay.app.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.util.Locale;
import org.hibernate.validator.HibernateValidator;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * Checks the bound file with Hibernate Validator (the constraints are on the section records) and
 * records every violation at its relay.yaml key path, e.g. {@code endpoints[0].event-types[1]}.
 */
final class Violations {
  private static final PropertyNamingStrategies.NamingBase KEBAB =
      (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.KEBAB_CASE;
  private static final Validator VALIDATOR = validator();

  private Violations() {}

  static void check(RelayFile file, Problems problems) {
    for (ConstraintViolation<RelayFile> v : VALIDATOR.validate(file)) {
      problems.add(path(v.getPropertyPath()), v.getMessage(), v.getInvalidValue() instanceof CharSequence
          || v.getInvalidValue() instanceof Number ? v.getInvalidValue() : null);
    }
  }

  private static String path(Path path) {
    StringBuilder out = new StringBuilder();
    for (Path.Node node : path) {
      if (node.isInIterable()) {
        out.append(node.getIndex() != null ? "[" + node.getIndex() + "]" : "." + node.getKey());
      }
      if (node.getKind() == ElementKind.PROPERTY && node.getName() != null) {
        out.append(out.length() == 0 ? "" : ".").append(KEBAB.translate(node.getName()));
      }
    }
    return out.toString();
  }

  private static Validator validator() {
    // Parameter interpolation only: no expression language, so no message can evaluate input.
    ValidatorFactory factory = Validation.byProvider(HibernateValidator.class).configure()
        .messageInterpolator(new ParameterMessageInterpolator())
        .defaultLocale(Locale.ROOT)
        .buildValidatorFactory();
    return factory.getValidator();
  }
}
