# syntax=docker/dockerfile:1
# Multi-stage build of the relay: a Maven/JDK 17 stage builds relay.jar and relay-demo.jar, a
# JRE 17 stage runs one of them.
#
#   docker build -t relay .                         # production: relay.jar (no embedded database)
#   docker run --rm -e RELAY_DATABASE_URL=... -v $PWD/config/relay.yaml:/etc/relay/relay.yaml relay
#   docker build --target demo -t relay-demo .      # the demo: relay-demo.jar, needs nothing else
#   docker run --rm -p 9180:9180 relay-demo
#
# The production image runs `relay run` with /etc/relay/relay.yaml; override with RELAY_CONFIG or
# `--config`. Admin/metrics listen on 9180 (set admin.bind: 0.0.0.0 in the config you mount).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Resolve dependencies in their own layer so source edits do not re-download them.
COPY pom.xml ./
COPY relay-engine/pom.xml relay-engine/
COPY relay-webhook/pom.xml relay-webhook/
COPY relay-app/pom.xml relay-app/
COPY load-tests/pom.xml load-tests/
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -pl relay-app -am dependency:go-offline -DskipTests || true
COPY relay-engine relay-engine
COPY relay-webhook relay-webhook
COPY relay-app relay-app
COPY load-tests load-tests
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -pl relay-app -am package -DskipTests \
 && cp relay-app/target/relay.jar /relay.jar \
 && cp relay-app/target/relay-demo.jar /relay-demo.jar

FROM eclipse-temurin:17-jre AS base
LABEL org.opencontainers.image.title="relay" \
      org.opencontainers.image.description="Transactional-outbox webhook relay for Postgres"
RUN groupadd --system --gid 10001 relay \
 && useradd --system --uid 10001 --gid relay --home-dir /opt/relay --shell /usr/sbin/nologin relay
COPY relay-app/src/main/dist/relay /usr/local/bin/relay
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
WORKDIR /opt/relay
EXPOSE 9180
# SIGTERM -> graceful stop (shutdown.grace-period) -> exit 0. The launcher execs java, so the
# signal reaches the JVM directly. Give the container a stop timeout above the grace period.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/relay"]

# `docker build --target demo`: embedded Postgres, sample receiver, relay and publisher in one.
FROM base AS demo
COPY --from=build /relay-demo.jar /opt/relay/relay-demo.jar
ENV RELAY_JAR=/opt/relay/relay-demo.jar
USER relay
CMD ["demo", "--bind", "0.0.0.0", "--port", "9180"]

# The default target: the production image, relay.jar only.
FROM base AS relay
COPY --from=build /relay.jar /opt/relay/relay.jar
COPY config/relay.yaml /etc/relay/relay.yaml
COPY relay-app/src/main/dist/train-cds /usr/local/bin/train-cds
# Class data sharing: an archive of the classes a start loads, made by this image's JVM for this
# jar; the launcher uses it (ready in about 30 % less time and CPU, docs/operations.md).
RUN train-cds /opt/relay/relay.jar /opt/relay/relay.jsa
ENV RELAY_JAR=/opt/relay/relay.jar \
    RELAY_CONFIG=/etc/relay/relay.yaml \
    RELAY_CDS_ARCHIVE=/opt/relay/relay.jsa
USER relay
CMD ["run"]
