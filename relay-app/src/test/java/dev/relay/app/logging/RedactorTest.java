package dev.relay.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactorTest {
  @Test
  void secretsSignaturesTokensAndUserInfoAreRedacted() {
    String line = Redactor.redact("secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw sig v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= "
        + "Authorization: Bearer abc.def-123 url https://bob:hunter2@example.com/x password=pa55 token: t0k3n");
    assertThat(line).doesNotContain("MfKQ9r8").doesNotContain("g0hM9SsE").doesNotContain("abc.def-123")
        .doesNotContain("hunter2").doesNotContain("pa55").doesNotContain("t0k3n")
        .contains("whsec_***").contains("v1,***").contains("https://***@example.com/x");
  }

  @Test
  void userInfoWithSlashOrAtInThePasswordIsRedactedWhole() {
    String line = Redactor.redact("connect postgresql://relay:pa/ss@w0rd@db:5432/app failed; sslpassword=k3y");
    assertThat(line).doesNotContain("pa/ss").doesNotContain("w0rd").doesNotContain("k3y").contains("postgresql://***@");
  }

  @Test
  void ordinaryTextIsLeftAlone() {
    String s = "Delivered 12 to billing (https://billing.example.com/hook) in 35 ms";
    assertThat(Redactor.redact(s)).isEqualTo(s);
  }
}
