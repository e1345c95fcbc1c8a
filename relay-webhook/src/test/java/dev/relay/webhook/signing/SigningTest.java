package dev.relay.webhook.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SigningTest {

  // Known answer from the Standard Webhooks reference libraries.
  static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  static final long SPEC_TS = 1614265330L;
  static final String SPEC_BODY = "{\"test\": 2432232314}";
  static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  static final Clock AT_SPEC_TIME = Clock.fixed(Instant.ofEpochSecond(SPEC_TS), ZoneOffset.UTC);

  @Test
  void signsTheSpecKnownAnswer() {
    WebhookSigner signer = WebhookSigner.of(List.of(SigningSecret.parse(SPEC_SECRET)));
    assertThat(signer.signatureHeader(SPEC_ID, SPEC_TS, SPEC_BODY)).isEqualTo(SPEC_SIGNATURE);
  }

  @Test
  void specSecretOfTwentyFourBytesIsAccepted() {
    assertThat(Base64.getDecoder().decode(SPEC_SECRET.substring(6))).hasSize(24);
    assertThat(SigningSecret.parse(SPEC_SECRET)).isNotNull();
  }

  @Test
  void rotationYieldsOneSignaturePerSecretEachVerifying() {
    String newer = randomSecret(32);
    WebhookSigner signer =
        WebhookSigner.of(List.of(SigningSecret.parse(SPEC_SECRET), SigningSecret.parse(newer)));
    String header = signer.signatureHeader(SPEC_ID, SPEC_TS, SPEC_BODY);

    String[] parts = header.split(" ");
    assertThat(parts).hasSize(2);
    assertThat(parts[0]).isEqualTo(SPEC_SIGNATURE);
    assertThat(parts[1]).startsWith("v1,").isNotEqualTo(parts[0]);
    // Each receiver, knowing only one of the secrets, accepts the message.
    WebhookVerifier.of(SPEC_SECRET).withClock(AT_SPEC_TIME)
        .verify(SPEC_ID, Long.toString(SPEC_TS), header, SPEC_BODY);
    WebhookVerifier.of(newer).withClock(AT_SPEC_TIME)
        .verify(SPEC_ID, Long.toString(SPEC_TS), header, SPEC_BODY);
    // And each single signature verifies on its own against its own secret only.
    WebhookVerifier.of(newer).withClock(AT_SPEC_TIME)
        .verify(SPEC_ID, Long.toString(SPEC_TS), parts[1], SPEC_BODY);
    assertThatThrownBy(() -> WebhookVerifier.of(newer).withClock(AT_SPEC_TIME)
            .verify(SPEC_ID, Long.toString(SPEC_TS), parts[0], SPEC_BODY))
        .isInstanceOf(WebhookVerificationException.class);
  }

  @Test
  void verifierAcceptsTheSpecMessageFromAHeaderMap() {
    Map<String, String> headers = Map.of(
        WebhookHeaders.ID, SPEC_ID,
        WebhookHeaders.TIMESTAMP, Long.toString(SPEC_TS),
        WebhookHeaders.SIGNATURE, "v1a,ignoredasymmetric " + SPEC_SIGNATURE);
    WebhookVerifier verifier = WebhookVerifier.of(SPEC_SECRET).withClock(AT_SPEC_TIME);
    assertThat(verifier.isValid(headers::get, SPEC_BODY.getBytes())).isTrue();
  }

  @Test
  void verifierRejectsTamperedBodyIdTimestampAndSignature() {
    WebhookVerifier v = WebhookVerifier.of(SPEC_SECRET).withClock(AT_SPEC_TIME);
    String ts = Long.toString(SPEC_TS);
    assertThatThrownBy(() -> v.verify(SPEC_ID, ts, SPEC_SIGNATURE, SPEC_BODY + " "))
        .hasMessage("no matching signature");
    assertThatThrownBy(() -> v.verify("msg_other", ts, SPEC_SIGNATURE, SPEC_BODY))
        .hasMessage("no matching signature");
    assertThatThrownBy(() -> v.withTolerance(Duration.ofHours(1))
            .verify(SPEC_ID, Long.toString(SPEC_TS + 1), SPEC_SIGNATURE, SPEC_BODY))
        .hasMessage("no matching signature");
    String flipped = SPEC_SIGNATURE.replace("g0hM", "g0hN");
    assertThatThrownBy(() -> v.verify(SPEC_ID, ts, flipped, SPEC_BODY))
        .hasMessage("no matching signature");
    assertThatThrownBy(() -> v.verify(SPEC_ID, ts, "v1,not-base64!!", SPEC_BODY))
        .hasMessage("no matching signature");
  }

  @Test
  void verifierEnforcesTimestampToleranceBothWays() {
    WebhookVerifier v = WebhookVerifier.of(SPEC_SECRET);
    Clock sixMinutesLater = Clock.offset(AT_SPEC_TIME, Duration.ofMinutes(6));
    Clock sixMinutesEarlier = Clock.offset(AT_SPEC_TIME, Duration.ofMinutes(-6));
    String ts = Long.toString(SPEC_TS);
    assertThatThrownBy(() -> v.withClock(sixMinutesLater).verify(SPEC_ID, ts, SPEC_SIGNATURE, SPEC_BODY))
        .hasMessage("message timestamp too old");
    assertThatThrownBy(() -> v.withClock(sixMinutesEarlier).verify(SPEC_ID, ts, SPEC_SIGNATURE, SPEC_BODY))
        .hasMessage("message timestamp too new");
    v.withClock(Clock.offset(AT_SPEC_TIME, Duration.ofMinutes(4)))
        .verify(SPEC_ID, ts, SPEC_SIGNATURE, SPEC_BODY);
    assertThatThrownBy(() -> v.withClock(AT_SPEC_TIME).verify(SPEC_ID, "soon", SPEC_SIGNATURE, SPEC_BODY))
        .hasMessageContaining("invalid webhook-timestamp");
  }

  @Test
  void verifierNamesTheMissingHeader() {
    WebhookVerifier v = WebhookVerifier.of(SPEC_SECRET).withClock(AT_SPEC_TIME);
    Map<String, String> noSignature =
        Map.of(WebhookHeaders.ID, SPEC_ID, WebhookHeaders.TIMESTAMP, Long.toString(SPEC_TS));
    assertThatThrownBy(() -> v.verify(noSignature::get, SPEC_BODY.getBytes()))
        .hasMessage("missing webhook-signature header");
  }

  @Test
  void secretsAreValidatedWithoutEchoingThem() {
    String noPrefix = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    assertThatThrownBy(() -> SigningSecret.parse("endpoints[a].secrets[0]", noPrefix))
        .hasMessageStartingWith("endpoints[a].secrets[0] must start with 'whsec_'")
        .message().doesNotContain(noPrefix);
    String badBase64 = "whsec_MfKQ9r8G*YqrTwjUPD8ILPZIo2LaLaSw";
    assertThatThrownBy(() -> SigningSecret.parse("k", badBase64))
        .hasMessageContaining("base64")
        .message().doesNotContain("MfKQ");
    String tooShort = randomSecret(23);
    assertThatThrownBy(() -> SigningSecret.parse("k", tooShort))
        .hasMessage("k must decode to 24 to 64 bytes, decoded to 23");
    String tooLong = randomSecret(65);
    assertThatThrownBy(() -> SigningSecret.parse("k", tooLong))
        .hasMessage("k must decode to 24 to 64 bytes, decoded to 65");
    assertThat(SigningSecret.parse("k", randomSecret(64))).isNotNull();
    assertThat(SigningSecret.parse(SPEC_SECRET).toString()).doesNotContain("MfKQ");
  }

  static String randomSecret(int bytes) {
    byte[] key = new byte[bytes];
    new SecureRandom().nextBytes(key);
    return "whsec_" + Base64.getEncoder().encodeToString(key);
  }
}
