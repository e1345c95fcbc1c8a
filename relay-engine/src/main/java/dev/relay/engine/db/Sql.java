package dev.relay.engine.db;

/**
 * Every statement the engine runs, in one place, resolved for the configured schema. Each says
 * which index it relies on. Parameters are positional ({@code $1}...).
 */
public final class Sql {
  private final String schema;

  Sql(String schema) {
    this.schema = schema;
  }

  private String s(String template) {
    return template.replace("{s}", schema);
  }

  public String schema() {
    return schema;
  }

  /** The NOTIFY channel the fan-out trigger signals after a publish. */
  public String wakeupChannel() {
    return schema + "_wakeup";
  }

  /**
   * The claim. One atomic statement: lock due rows with SKIP LOCKED, push their due time out by
   * the lease, bump attempts, stamp a fresh lease token, and return what a deliverer needs.
   *
   * <p>Fairness: rows are taken per endpoint through a LATERAL subquery capped by that endpoint's
   * free in-flight slots ($3/$4, default $5), endpoints in random order, so one flooded endpoint
   * cannot take the whole batch. Index: delivery_due_idx (endpoint, next_attempt_at) WHERE
   * pending, walked in order per endpoint, so the plan does not depend on LIMIT values: a generic
   * plan (pitfall: prepared LIMIT $n once chose a hash join over the whole table, 450 ms vs 1.7
   * ms) stays an index scan. Then the primary key for the update and the message join.
   *
   * <p>$1 lease ms, $2 lease token, $3 endpoint names with custom caps, $4 their caps, $5
   * default cap, $6 endpoints not to claim (open breakers), $7 batch size.
   */
  public String claim() {
    return s("""
        UPDATE {s}.delivery d
           SET attempts = d.attempts + 1,
               next_attempt_at = now() + $1 * interval '1 millisecond',
               lease_token = $2,
               last_attempt_at = now()
          FROM {s}.message m
         WHERE d.id = ANY (ARRAY(
                 SELECT c.id
                   FROM (SELECT e.name, coalesce(f.cap, $5) AS cap
                           FROM {s}.endpoint e
                           LEFT JOIN unnest($3::text[], $4::int[]) AS f(name, cap) ON f.name = e.name
                          WHERE NOT e.removed AND NOT e.paused AND e.disabled_reason IS NULL
                            AND e.name <> ALL ($6::text[])
                          ORDER BY random()) e
                  CROSS JOIN LATERAL (
                        SELECT x.id
                          FROM {s}.delivery x
                         WHERE x.endpoint = e.name
                           AND x.state = 'pending'
                           AND x.next_attempt_at <= now()
                         ORDER BY x.next_attempt_at
                         LIMIT e.cap
                           FOR UPDATE SKIP LOCKED) c
                  LIMIT $7))
           AND d.state = 'pending'
           AND m.id = d.message_id
        RETURNING d.id, d.endpoint, m.event_id, m.event_type, m.payload::text AS payload,
                  m.content_type, m.ordering_key, d.attempts, m.created_at
        """);
  }

  /**
   * Settles a batch of outcomes in one round trip. Fenced: a row changes only while it still
   * carries the lease token of the claim that produced the outcome, so a relay that lost its
   * lease changes nothing. Returns the ids that settled (the rest were stale) and, for delivered
   * rows, the publish-to-delivered latency in database time. Index: the primary key.
   *
   * <p>$1 ids, $2 lease tokens, $3 new states, $4 retry delays in ms (pending rows), $5 status
   * codes, $6 errors, $7 attempts to give back (1 when the transport deferred without sending).
   */
  public String settle() {
    return s("""
        UPDATE {s}.delivery d
           SET state = o.state,
               next_attempt_at = CASE WHEN o.state = 'pending'
                                      THEN now() + o.delay_ms * interval '1 millisecond'
                                      ELSE d.next_attempt_at END,
               settled_at = CASE WHEN o.state = 'pending' THEN NULL ELSE now() END,
               lease_token = NULL,
               attempts = d.attempts - o.refund,
               last_status = o.status,
               last_error = o.error
          FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::bigint[], $5::int[], $6::text[], $7::int[])
               AS o(id, token, state, delay_ms, status, error, refund)
         WHERE d.id = o.id
           AND d.lease_token = o.token
           AND d.state = 'pending'
        RETURNING d.id, d.endpoint, d.state,
                  extract(epoch FROM now() - d.created_at) AS age_seconds
        """);
  }

  /**
   * Gives claimed rows back on shutdown: due now, lease cleared, the interrupted attempt not
   * counted. Fenced like the settle. Index: the primary key. $1 ids, $2 lease tokens.
   */
  public String release() {
    return s("""
        UPDATE {s}.delivery d
           SET next_attempt_at = now(),
               lease_token = NULL,
               attempts = greatest(d.attempts - 1, 0)
          FROM unnest($1::bigint[], $2::uuid[]) AS o(id, token)
         WHERE d.id = o.id AND d.lease_token = o.token AND d.state = 'pending'
        """);
  }

  /** Disables an endpoint whose receiver said it is gone (410). $1 name, $2 reason. */
  public String disableEndpoint() {
    return s("""
        UPDATE {s}.endpoint SET disabled_reason = $2, updated_at = now()
         WHERE name = $1 AND disabled_reason IS NULL
        """);
  }

  /**
   * Time until the earliest future due row among claimable endpoints, for the retry timer.
   * Index: delivery_due_idx, one short scan per endpoint.
   */
  public String nextDue() {
    return s("""
        SELECT extract(epoch FROM min(n.due) - now()) * 1000
          FROM {s}.endpoint e
          CROSS JOIN LATERAL (
                SELECT x.next_attempt_at AS due FROM {s}.delivery x
                 WHERE x.endpoint = e.name AND x.state = 'pending'
                 ORDER BY x.next_attempt_at LIMIT 1) n
         WHERE NOT e.removed AND NOT e.paused AND e.disabled_reason IS NULL
        """);
  }

  /** Pushes the payload limit to the SQL side, where relay.publish enforces it. $1 bytes. */
  public String setMaxPayload() {
    return s("""
        INSERT INTO {s}.setting (key, value) VALUES ('max_payload_bytes', $1)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value
        """);
  }

  /** Publishes through the same function applications call. $1..$6 as relay.publish. */
  public String publish() {
    return s("SELECT {s}.publish($1, $2::jsonb, $3, $4, $5, coalesce($6, 'application/json'))");
  }

  // ---- endpoints ----------------------------------------------------------------------------

  /**
   * Upserts a configured endpoint; it is no longer removed. A configured "paused" pauses it; an
   * operator's pause survives a restart unless the config says otherwise only by resume.
   * $1 name, $2 event types, $3 LIKE patterns, $4 paused by config.
   */
  public String upsertEndpoint() {
    return s("""
        INSERT INTO {s}.endpoint AS e (name, event_types, event_type_patterns, paused, paused_reason)
        VALUES ($1, $2::text[], $3::text[], $4, CASE WHEN $4 THEN 'paused in configuration' END)
        ON CONFLICT (name) DO UPDATE
           SET event_types = excluded.event_types,
               event_type_patterns = excluded.event_type_patterns,
               removed = false,
               paused = e.paused OR excluded.paused,
               paused_reason = CASE WHEN excluded.paused AND NOT e.paused THEN excluded.paused_reason
                                    ELSE e.paused_reason END,
               updated_at = now()
        RETURNING (xmax = 0) AS inserted
        """);
  }

  /** Marks endpoints no longer configured as removed. $1 configured names. */
  public String removeEndpointsNotIn() {
    return s("""
        UPDATE {s}.endpoint SET removed = true, updated_at = now()
         WHERE NOT removed AND name <> ALL ($1::text[])
        RETURNING name
        """);
  }

  /** $1 name, $2 reason. */
  public String pauseEndpoint() {
    return s("""
        UPDATE {s}.endpoint SET paused = true, paused_reason = $2, updated_at = now()
         WHERE name = $1
        """);
  }

  /** Clears a pause and a 410 disable. $1 name. */
  public String resumeEndpoint() {
    return s("""
        UPDATE {s}.endpoint SET paused = false, paused_reason = NULL, disabled_reason = NULL,
               updated_at = now()
         WHERE name = $1
        """);
  }

  /**
   * Endpoints with their backlog, oldest pending age (database time) and dead letters.
   * Indexes: delivery_due_idx for pending, delivery_dead_idx for dead. $1 name or null for all.
   */
  public String listEndpoints() {
    return s("""
        SELECT e.name, e.event_types, e.removed, e.paused, e.paused_reason, e.disabled_reason,
               coalesce(p.backlog, 0) AS backlog,
               extract(epoch FROM now() - p.oldest) AS oldest_age_seconds,
               (SELECT count(*) FROM {s}.delivery d WHERE d.endpoint = e.name AND d.state = 'dead') AS dead
          FROM {s}.endpoint e
          LEFT JOIN LATERAL (
                SELECT count(*) AS backlog, min(d.created_at) AS oldest
                  FROM {s}.delivery d
                 WHERE d.endpoint = e.name AND d.state = 'pending') p ON true
         WHERE $1::text IS NULL OR e.name = $1
         ORDER BY e.name
        """);
  }

  /**
   * Backlog and oldest pending age for every endpoint (0 when idle, so alerts see a series).
   * Index: delivery_due_idx, per endpoint.
   */
  public String backlog() {
    return s("""
        SELECT e.name AS endpoint, count(d.id) AS backlog,
               coalesce(extract(epoch FROM now() - min(d.created_at)), 0) AS oldest
          FROM {s}.endpoint e
          LEFT JOIN {s}.delivery d ON d.endpoint = e.name AND d.state = 'pending'
         GROUP BY e.name
        """);
  }

  /** Messages nobody subscribed to, still within retention. Index: message_unrouted_idx. */
  public String unroutedCount() {
    return s("SELECT count(*) FROM {s}.message WHERE unrouted");
  }

  // ---- deliveries and dead letters -------------------------------------------------------------

  private static final String DELIVERY_COLUMNS = """
      d.id, d.endpoint, m.event_id, m.event_type, d.state, d.attempts, d.next_attempt_at,
      d.last_attempt_at, d.last_status, d.last_error, d.created_at, d.settled_at, m.id AS message_id
      """;

  /** $1 event id. Index: message event_id unique, then delivery (message_id, endpoint). */
  public String deliveriesByEventId() {
    return s("SELECT " + DELIVERY_COLUMNS + """
          FROM {s}.message m JOIN {s}.delivery d ON d.message_id = m.id
         WHERE m.event_id = $1
         ORDER BY d.endpoint
        """);
  }

  /** $1 delivery id. Index: the primary key. */
  public String deliveryById() {
    return s("SELECT " + DELIVERY_COLUMNS + """
          FROM {s}.delivery d JOIN {s}.message m ON m.id = d.message_id
         WHERE d.id = $1
        """);
  }

  /** The dead-letter filter: $1 endpoint, $2 event type, $3 since, $4 until (all optional). */
  private static final String DEAD_FILTER = """
         WHERE d.state = 'dead'
           AND ($1::text IS NULL OR d.endpoint = $1)
           AND ($2::text IS NULL OR m.event_type = $2)
           AND ($3::timestamptz IS NULL OR d.settled_at >= $3)
           AND ($4::timestamptz IS NULL OR d.settled_at < $4)
      """;

  /** Index: delivery_dead_idx. $5 limit. */
  public String listDead() {
    return s("SELECT " + DELIVERY_COLUMNS + """
          FROM {s}.delivery d JOIN {s}.message m ON m.id = d.message_id
        """ + DEAD_FILTER + """
         ORDER BY d.settled_at DESC, d.id DESC
         LIMIT $5
        """);
  }

  /** Index: delivery_dead_idx. */
  public String countDead() {
    return s("SELECT count(*) FROM {s}.delivery d JOIN {s}.message m ON m.id = d.message_id "
        + DEAD_FILTER);
  }

  /** Dead letters back to pending with a fresh attempt budget. $5 limit. */
  public String replayDead() {
    return s("""
        UPDATE {s}.delivery u
           SET state = 'pending', attempts = 0, next_attempt_at = now(), settled_at = NULL,
               lease_token = NULL
         WHERE u.id IN (SELECT d.id FROM {s}.delivery d JOIN {s}.message m ON m.id = d.message_id
        """ + DEAD_FILTER + """
                        LIMIT $5)
           AND u.state = 'dead'
        """);
  }

  /** Dead letters to discarded (kept for the delivered-retention window, then purged). $5 limit. */
  public String discardDead() {
    return s("""
        UPDATE {s}.delivery u
           SET state = 'discarded', settled_at = now()
         WHERE u.id IN (SELECT d.id FROM {s}.delivery d JOIN {s}.message m ON m.id = d.message_id
        """ + DEAD_FILTER + """
                        LIMIT $5)
           AND u.state = 'dead'
        """);
  }

  /** $1 ids. Index: the primary key. */
  public String replayDeadIds() {
    return s("""
        UPDATE {s}.delivery
           SET state = 'pending', attempts = 0, next_attempt_at = now(), settled_at = NULL,
               lease_token = NULL
         WHERE id = ANY ($1::bigint[]) AND state = 'dead'
        """);
  }

  /** $1 ids. Index: the primary key. */
  public String discardDeadIds() {
    return s("""
        UPDATE {s}.delivery SET state = 'discarded', settled_at = now()
         WHERE id = ANY ($1::bigint[]) AND state = 'dead'
        """);
  }

  /**
   * Delivers every message published since $2 to endpoint $1 again (or for the first time):
   * missing deliveries are created, terminal ones go back to pending, pending ones are left
   * alone. Index: message_created_at_idx, then delivery (message_id, endpoint).
   */
  public String replayMessages() {
    return s("""
        INSERT INTO {s}.delivery AS d (message_id, endpoint, created_at, next_attempt_at)
        SELECT m.id, $1, m.created_at, now()
          FROM {s}.message m
         WHERE m.created_at >= $2
        ON CONFLICT (message_id, endpoint) DO UPDATE
           SET state = 'pending', attempts = 0, next_attempt_at = now(), settled_at = NULL,
               lease_token = NULL
         WHERE d.state <> 'pending'
        """);
  }

  // ---- retention ---------------------------------------------------------------------------------

  /**
   * Deletes one small batch of terminal deliveries past their window. Never a pending row: the
   * state is in the WHERE of both the choice and the delete. Index: delivery_settled_idx.
   * $1 delivered/discarded window ms, $2 dead window ms, $3 batch size.
   */
  public String purgeDeliveries() {
    return s("""
        DELETE FROM {s}.delivery
         WHERE id = ANY (ARRAY(
                 SELECT x.id FROM {s}.delivery x
                  WHERE x.state <> 'pending'
                    AND x.settled_at < now() - CASE WHEN x.state = 'dead'
                                                     THEN $2 * interval '1 millisecond'
                                                     ELSE $1 * interval '1 millisecond' END
                  LIMIT $3))
           AND state <> 'pending'
        """);
  }

  /**
   * Deletes one batch of messages past the window that no delivery references any more (the
   * foreign key would refuse the rest anyway). Index: message_created_at_idx, then delivery
   * (message_id, endpoint). $1 window ms, $2 batch size.
   */
  public String purgeMessages() {
    return s("""
        DELETE FROM {s}.message
         WHERE id = ANY (ARRAY(
                 SELECT m.id FROM {s}.message m
                  WHERE m.created_at < now() - $1 * interval '1 millisecond'
                    AND NOT EXISTS (SELECT 1 FROM {s}.delivery d WHERE d.message_id = m.id)
                  LIMIT $2))
        """);
  }
}
