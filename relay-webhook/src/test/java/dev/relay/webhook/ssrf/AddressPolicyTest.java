package dev.relay.webhook.ssrf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AddressPolicyTest {

  static final AddressPolicy DEFAULT = AddressPolicy.allowing(List.of());

  @ParameterizedTest(name = "{0} is refused as {1}")
  @CsvSource(delimiter = '|', value = {
      "127.0.0.1          | loopback 127.0.0.0/8",
      "127.255.255.254    | loopback",
      "10.1.2.3           | private 10.0.0.0/8",
      "172.16.0.1         | private 172.16.0.0/12",
      "172.31.255.255     | private 172.16.0.0/12",
      "192.168.1.1        | private 192.168.0.0/16",
      "169.254.169.254    | link-local (cloud metadata)",
      "100.64.0.1         | carrier-grade NAT",
      "100.127.255.255    | carrier-grade NAT",
      "0.0.0.0            | unspecified",
      "0.1.2.3            | unspecified",
      "224.0.0.1          | multicast",
      "239.255.255.250    | multicast",
      "255.255.255.255    | broadcast",
      "240.0.0.1          | reserved",
      "192.0.0.8          | IETF protocol assignments",
      "192.0.2.1          | documentation",
      "198.51.100.7       | documentation",
      "203.0.113.9        | documentation",
      "198.18.0.1         | benchmarking",
      "::1                | loopback ::1/128",
      "::                 | unspecified",
      "fc00::1            | unique local (ULA)",
      "fd12:3456::1       | unique local (ULA)",
      "fe80::1            | link-local",
      "ff02::1            | multicast",
      "2001:db8::1        | documentation",
      "::ffff:127.0.0.1   | loopback",
      "::ffff:a9fe:a9fe   | link-local (cloud metadata)",
      "::7f00:1           | IPv4-compatible form of loopback",
      "::a00:1            | IPv4-compatible form of private",
      "2002:7f00:1::1     | 6to4 form of loopback",
      "2002:c0a8:101::    | 6to4 form of private 192.168.0.0/16",
      "64:ff9b::a9fe:a9fe | NAT64 form of link-local",
      "64:ff9b::7f00:1    | NAT64 form of loopback",
      "64:ff9b:1::1       | local-use NAT64",
      "2001:0:4136:e378:8000:63bf:3fff:fdd2 | Teredo",
      // Issue 12, finding 6: the IPv4-translated form was missing; and the rest of the registries.
      "::ffff:0:7f00:1    | IPv4-translated form of loopback",
      "::ffff:0:a9fe:a9fe | IPv4-translated form of link-local (cloud metadata)",
      "::1:2:3            | reserved by the IETF ::/8",
      "100:0:0:1::1       | dummy prefix",
      "2001:3::1          | IETF protocol assignments",
      "5f00::1            | segment routing",
  })
  void refusesSpecialPurposeAddresses(String literal, String why) throws Exception {
    InetAddress address = InetAddress.getByName(literal); // literals only: no DNS
    assertThat(DEFAULT.refusal(address)).hasValueSatisfying(r -> assertThat(r).contains(why));
  }

  @ParameterizedTest
  @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1",
      "169.253.255.255", "2606:4700::1111", "64:ff9b::808:808", "2002:808:808::1",
      "::ffff:8.8.8.8", "::ffff:0:808:808"})
  void allowsPublicAddresses(String literal) throws Exception {
    assertThat(DEFAULT.refusal(InetAddress.getByName(literal))).isEmpty();
  }

  @Test
  void allowListOpensExactlyItsNetworks() throws Exception {
    AddressPolicy policy =
        AddressPolicy.allowing(List.of(Cidr.parse("k", "127.0.0.0/8"), Cidr.parse("k", "fd00::/8")));
    assertThat(policy.refusal(InetAddress.getByName("127.0.0.1"))).isEmpty();
    assertThat(policy.refusal(InetAddress.getByName("::ffff:127.0.0.2"))).isEmpty();
    assertThat(policy.refusal(InetAddress.getByName("fd00::5"))).isEmpty();
    assertThat(policy.refusal(InetAddress.getByName("10.0.0.1"))).isPresent();
    assertThat(policy.refusal(InetAddress.getByName("::1"))).isPresent();
    assertThat(policy.refusal(InetAddress.getByName("fc00::1"))).isPresent();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "2130706433, 127.0.0.1",
      "0x7f.1, 127.0.0.1",
      "0177.0.0.1, 127.0.0.1",
      "127.1, 127.0.0.1",
      "0x7f000001, 127.0.0.1",
      "0x7F.0.0.1, 127.0.0.1",
      "017700000001, 127.0.0.1",
      "127.0.0.1., 127.0.0.1",
      "10.0.258, 10.0.1.2",
      "0, 0.0.0.0",
      "[::1], 0:0:0:0:0:0:0:1",
      "169.254.43518, 169.254.169.254",
  })
  void numericHostSpellingsAreTheAddressesResolversMakeOfThem(String host, String address) {
    assertThat(NumericHost.parse(host)).map(InetAddress::getHostAddress).hasValue(address);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.2.3.256", "1.2.3.4.5", "08.0.0.1", "0x100.0.0.1", "4294967296",
      "example.123", "[::g]"})
  void ambiguousNumericHostsAreRefused(String host) {
    assertThatThrownBy(() -> NumericHost.parse(host)).isInstanceOf(SsrfRefusedException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"example.com", "localhost", "localhost.", "a1.example", "0x7f.example"})
  void namesAreLeftToTheResolver(String host) {
    assertThat(NumericHost.parse(host)).isEmpty();
  }

  @Test
  void cidrParsingIsStrictAndNamesTheKey() {
    assertThat(Cidr.parse("k", "10.0.0.0/8").contains(NumericHost.parse("10.9.9.9").orElseThrow()))
        .isTrue();
    assertThat(Cidr.parse("k", "10.0.0.7").prefixLength()).isEqualTo(32);
    assertThatThrownBy(() -> Cidr.parse("webhook.allowed-networks[0]", "10.1.2.3/8"))
        .hasMessageContaining("webhook.allowed-networks[0]").hasMessageContaining("host bits");
    assertThatThrownBy(() -> Cidr.parse("k", "10.0.0.0/33")).hasMessageContaining("0..32");
    assertThatThrownBy(() -> Cidr.parse("k", "intranet/8")).hasMessageContaining("CIDR");
    assertThatThrownBy(() -> Cidr.parse("k", "0x7f.1/8")).hasMessageContaining("CIDR");
  }
}
