package dev.relay.app.config;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.jspecify.annotations.Nullable;

/**
 * A text value checked by a {@link TextRule}, whose answer is the violation message: one
 * annotation for every rule that Bean Validation has no built-in constraint for.
 */
@Target({ElementType.FIELD, ElementType.TYPE_USE, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = Checked.Validator.class)
@interface Checked {
  Class<? extends TextRule> value();

  String message() default "is not valid";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** Says what is wrong with a value, or null when nothing is; never quotes the value. */
  interface TextRule {
    @Nullable String problem(String value);
  }

  /** Bean Validation's side: runs the rule, reports its message. */
  final class Validator implements ConstraintValidator<Checked, String> {
    private @Nullable TextRule rule;

    @Override
    public void initialize(Checked annotation) {
      try {
        rule = annotation.value().getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("text rule " + annotation.value() + " needs a no-argument constructor", e);
      }
    }

    @Override
    public boolean isValid(@Nullable String value, ConstraintValidatorContext context) {
      TextRule r = rule;
      String problem = value == null || r == null ? null : r.problem(value);
      if (problem == null) {
        return true;
      }
      context.disableDefaultConstraintViolation();
      // Braces would be read as message parameters; the problem text is final.
      context.buildConstraintViolationWithTemplate(problem.replace("{", "\\{").replace("}", "\\}").replace("$", "\\$"))
          .addConstraintViolation();
      return false;
    }
  }
}
