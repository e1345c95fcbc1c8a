package dev.relay.engine.db;

import org.jspecify.annotations.Nullable;

/**
 * Every statement the engine runs, in one place, resolved for the configured schema. Each says
 * which index it relies on. Parameters are positional ({@code $1}...).
 */
public final class Sql {
  private final String schema;

  Sql(String schema) {
    this.schema = schema;
  }

  /**
   * Resolves the schema and compacts the text: comments out, whitespace runs to one space. The
   * driver parses every statement's text on each execution (for its parameters), so a shorter
   * text is cheaper to send and to parse. None of the statements has "--" or repeated spaces
   * inside a string literal.
   */
  private String s(String template) {
    return COMMENT.matcher(template.replace("{s}", schema)).replaceAll("").replaceAll("\\s+", " ").strip();
  }

  private static final java.util.regex.Pattern COMMENT = java.util.regex.Pattern.compile("--[^\\n]*");

  public String schema() {
    return schema;
  }

  /** The NOTIFY channel the fan-out trigger signals after a publish. */
  public String wakeupChannel() {
    return schema + "_wakeup";
  }

  /**
   * The claim: one atomic statement that picks due rows, pushes their due time out by the lease,
   * bumps attempts, stamps a fresh lease token and returns what a deliverer needs.
   *
   * <p>Which endpoints: in discovery ($10 null) a loose index scan walks only endpoints that have
   * pending rows, starting after $9 and wrapping around (round robin across claims); idle
   * endpoints cost nothing, however many are configured. A targeted claim ($10) probes just the
   * listed endpoints. Either way an endpoint is claimed only if it is active, its receiver's
   * Retry-After has passed, and this relay ($3) registered it, or it is a runtime endpoint and
   * this relay serves those (invariant 8).
   *
   * <p>How many: each endpoint at most its cap ($5 for the endpoints named in $4, else $7), the
   * free slots of its lane in this relay, and $8 rows in all. Unkeyed rows come from
   * delivery_due_idx in due order. Keyed rows come only from the head of each key (its pending
   * row with the smallest message id, the first entry of delivery_key_idx for the key): a loose
   * scan over the endpoint's keys, starting after the key cursor ($6, per endpoint in $4). Rows
   * waiting behind a head are never read. With on_dead_letter = block a head also waits for any
   * earlier dead letter of its key (delivery_dead_key_idx). Unkeyed and keyed candidates are
   * merged in due order.
   *
   * <p>Locks: unkeyed rows with SKIP LOCKED in the scan. A head is found first and locked after
   * (SKIP LOCKED on the head alone; skipping inside the key's scan would take the row behind a
   * locked head). The update re-checks state and due time, so a row another relay claimed in
   * the meantime is left alone. Every scan is an index scan whatever the parameters, so a generic
   * plan cannot turn into a hash join over the table (pitfall: a prepared {@code LIMIT $n} once
   * chose one, 450 ms vs 1.7 ms); ClaimPlanIT checks the plan under force_generic_plan.
   *
   * <p>Bytes: a claim takes rows in id order while the payloads and keys taken before stay
   * under $12 bytes as stored (so at least one row), so that no claim, whatever rows it meets,
   * holds more than that (plus one message) in the relay's memory. A message whose payload is over
   * $11 bytes (the relay's max-payload-bytes) or whose other text is over {@link #FIELD_BYTES}
   * can only have been inserted around relay.publish: it is claimed without its payload and with
   * the reason in {@code undeliverable}, and the loop settles it dead instead of sending it.
   * (The ordering key stays whole: it is counted in the bytes, and a key longer than publish
   * allows still orders its rows.)
   *
   * <p>$1 lease ms, $2 lease token, $3 instance id, $4 endpoints with explicit caps, $5 their
   * caps, $6 their key cursors, $7 default cap, $8 batch size, $9 endpoint cursor, $10
   * endpoints for a targeted claim (null: discovery), $11 max payload bytes, $12 claim byte budget.
   */
  public String claim() {
    return s("""
        WITH RECURSIVE
        after(name) AS (
            SELECT %1$s WHERE $10::text[] IS NULL
            UNION ALL
            SELECT %2$s FROM after a WHERE a.name IS NOT NULL),
        before(name) AS (
            SELECT %3$s WHERE $10::text[] IS NULL AND $9::text <> ''
            UNION ALL
            SELECT %4$s FROM before b WHERE b.name < $9::text),
        candidates(name) AS (
            SELECT a.name FROM after a WHERE a.name IS NOT NULL
            UNION ALL
            SELECT b.name FROM before b WHERE b.name <= $9::text
            UNION ALL
            SELECT o.name FROM unnest($10::text[]) AS o(name)),
        picked AS (
            SELECT p.id
              FROM candidates c
              -- One primary-key probe per candidate; LIMIT 1 keeps it a parameterised lookup,
              -- never a hash of the whole endpoint table.
              CROSS JOIN LATERAL (
                    SELECT e.on_dead_letter
                      FROM {s}.endpoint e
                     WHERE e.name = c.name AND NOT e.paused AND e.disabled_reason IS NULL
                       AND (e.not_before IS NULL OR e.not_before <= now())
                       AND (EXISTS (SELECT 1 FROM {s}.instance_endpoint r
                                     WHERE r.instance_id = $3 AND r.endpoint = c.name AND NOT r.runtime)
                            OR e.runtime AND NOT e.removed
                               AND EXISTS (SELECT 1 FROM {s}.instance i WHERE i.id = $3 AND i.serves_runtime))
                     LIMIT 1) e
              CROSS JOIN LATERAL (
                    SELECT coalesce(($5::int[])[array_position($4::text[], c.name)], $7::int) AS cap,
                           coalesce(($6::text[])[array_position($4::text[], c.name)], '') AS key_cursor) k
              CROSS JOIN LATERAL (
                    SELECT q.id FROM (
                        SELECT u.id, u.due FROM (
                            SELECT x.id, x.next_attempt_at AS due
                              FROM {s}.delivery x
                             WHERE x.endpoint = c.name AND x.state = 'pending' AND x.ordering_key IS NULL
                               AND x.next_attempt_at <= now()
                             ORDER BY x.next_attempt_at
                             LIMIT k.cap
                               FOR UPDATE SKIP LOCKED) u
                        UNION ALL
                        SELECT h.id, h.due FROM (
                            SELECT y.id, y.next_attempt_at AS due
                              FROM (WITH RECURSIVE
                                      ka(key) AS (
                                          SELECT %5$s
                                          UNION ALL
                                          SELECT %6$s FROM ka WHERE ka.key IS NOT NULL),
                                      kb(key) AS (
                                          SELECT %7$s WHERE k.key_cursor <> ''
                                          UNION ALL
                                          SELECT %8$s FROM kb WHERE kb.key < k.key_cursor)
                                    SELECT (SELECT x.id FROM {s}.delivery x
                                             WHERE x.endpoint = c.name AND x.state = 'pending'
                                               AND x.ordering_key = ks.key
                                             ORDER BY x.message_id LIMIT 1) AS id
                                      FROM (SELECT ka.key FROM ka WHERE ka.key IS NOT NULL
                                            UNION ALL
                                            SELECT kb.key FROM kb WHERE kb.key <= k.key_cursor) ks) hd
                              JOIN {s}.delivery y ON y.id = hd.id
                             WHERE y.state = 'pending' AND y.next_attempt_at <= now()
                               AND NOT (e.on_dead_letter = 'block' AND EXISTS (
                                     SELECT 1 FROM {s}.delivery z
                                      WHERE z.endpoint = c.name AND z.state = 'dead'
                                        AND z.ordering_key = y.ordering_key AND z.message_id < y.message_id))
                             LIMIT k.cap
                               FOR UPDATE OF y SKIP LOCKED) h
                        ) q
                     ORDER BY q.due
                     LIMIT k.cap) p
             LIMIT $8),
        sized AS (
            SELECT z.id, z.bytes, sum(z.bytes) OVER (ORDER BY z.id) AS upto
              FROM picked
              -- Primary-key probes per picked row (LIMIT 1: never a hash of the table).
              CROSS JOIN LATERAL (
                    SELECT x.id, pg_column_size(m.payload) + coalesce(octet_length(x.ordering_key), 0) AS bytes
                      FROM {s}.delivery x
                      JOIN {s}.message m ON m.id = x.message_id
                     WHERE x.id = picked.id
                     LIMIT 1) z)
        UPDATE {s}.delivery d
           SET attempts = d.attempts + 1,
               next_attempt_at = now() + $1 * interval '1 millisecond',
               lease_token = $2,
               last_attempt_at = now()
          FROM {s}.message m
         CROSS JOIN LATERAL (SELECT m.payload::text AS body) b
         CROSS JOIN LATERAL (
               SELECT CASE
                   WHEN octet_length(b.body) > $11
                       THEN 'payload is ' || octet_length(b.body) || ' bytes, over delivery.max-payload-bytes ('
                            || $11 || ')'
                   WHEN greatest(octet_length(m.event_id), octet_length(m.event_type), octet_length(m.content_type),
                                 octet_length(m.traceparent), octet_length(m.tracestate)) > %9$d
                       THEN 'event_id, event_type, content_type or trace context over %9$d bytes'
                   END AS problem) q
         WHERE d.id = ANY (ARRAY(SELECT sized.id FROM sized WHERE sized.upto - sized.bytes < $12))
           AND d.state = 'pending'
           AND d.next_attempt_at <= now()
           AND m.id = d.message_id
        RETURNING d.id, d.endpoint, left(m.event_id, %9$d) AS event_id, left(m.event_type, %9$d) AS event_type,
                  CASE WHEN q.problem IS NULL THEN b.body ELSE '' END AS payload,
                  left(m.content_type, %9$d) AS content_type, d.ordering_key, d.attempts, m.created_at,
                  left(m.traceparent, %9$d) AS traceparent, left(m.tracestate, %9$d) AS tracestate,
                  q.problem AS undeliverable
        """.formatted(
            nextEndpoint("$9::text"), nextEndpoint("a.name"), nextEndpoint(null), nextEndpoint("b.name"),
            nextKey("k.key_cursor"), nextKey("ka.key"), nextKey(null), nextKey("kb.key"), FIELD_BYTES));
  }

  /**
   * The most a claim returns of a message's text fields other than the payload (relay.publish
   * allows 255; longer ones came from a raw insert, and such a message is undeliverable).
   */
  public static final int FIELD_BYTES = 1024;

  /**
   * The smallest endpoint with pending rows after {@code after} (from the start when null): one
   * step of the loose index scan, a probe of each pending index (unkeyed and keyed rows).
   */
  private static String nextEndpoint(@Nullable String after) {
    String bound = after == null ? "" : " AND x.endpoint > " + after;
    return "least((SELECT min(x.endpoint) FROM {s}.delivery x WHERE x.state = 'pending' AND x.ordering_key IS NULL"
        + bound + "), (SELECT min(x.endpoint) FROM {s}.delivery x WHERE x.state = 'pending'"
        + " AND x.ordering_key IS NOT NULL" + bound + "))";
  }

  /**
   * The pending rows of endpoint {@code endpoint} (an expression): {@code backlog} (their count,
   * leased ones included) and {@code oldest} (the earliest created_at, NULL when none), as a
   * derived table of one row. One probe of each pending index, unkeyed (delivery_due_idx) and keyed
   * (delivery_key_idx): {@code state = 'pending'} alone matches neither partial index, and was a
   * sequential scan of the whole table, delivered history included, per endpoint.
   */
  private static String pendingOf(String endpoint) {
    return """
        (SELECT sum(y.n)::bigint AS backlog, min(y.oldest) AS oldest FROM (
            SELECT count(*) AS n, min(x.created_at) AS oldest FROM {s}.delivery x
             WHERE x.endpoint = %1$s AND x.state = 'pending' AND x.ordering_key IS NULL
            UNION ALL
            SELECT count(*), min(x.created_at) FROM {s}.delivery x
             WHERE x.endpoint = %1$s AND x.state = 'pending' AND x.ordering_key IS NOT NULL) y)""".formatted(endpoint);
  }

  /** The smallest ordering key with pending rows of endpoint c.name after {@code after}: delivery_key_idx. */
  private static String nextKey(@Nullable String after) {
    return "(SELECT min(x.ordering_key) FROM {s}.delivery x WHERE x.endpoint = c.name AND x.state = 'pending'"
        + " AND x.ordering_key IS NOT NULL" + (after == null ? "" : " AND x.ordering_key > " + after) + ")";
  }

  /**
   * Settles a batch of outcomes in one round trip. Fenced: a row changes only while it still
   * carries the lease token of the claim that produced the outcome, so a relay that lost its
   * lease changes nothing. Returns the rows that settled (the rest were stale) and, for delivered
   * rows, the publish-to-delivered latency in database time. In the same statement, endpoints are
   * held until a receiver's Retry-After passes (every relay's claim honours it) and disabled when a
   * receiver said 410 Gone, and the attempt history gets a row for every settled outcome that
   * spent an attempt (refund 0): a stale settle, a row handed back and a deferred one record
   * nothing. Index: the primary keys (the attempt's, and attempt_failure_idx for failures only;
   * the endpoint's, and endpoint_failing_idx when a streak starts or ends).
   *
   * <p>Supersede keys (V8): a row that would go back to pending (a retry, or handed back) while a
   * later delivery of its supersede key to the same endpoint is pending ends {@code superseded}
   * instead, with the reason (delivery_supersede_idx); its attempt is recorded with the attempt's
   * own error.
   *
   * <p>Failing endpoints (V9): the endpoint's failure streak grows with every failed attempt
   * ($17 false) and ends at a delivered one ($17 true), counting like the attempt history only
   * settles that landed; rows that say nothing about the receiver (handed back, deferred,
   * undeliverable: $17 null) leave it alone. The row is written only on a
   * failure or when a success ends a streak, never for a healthy endpoint. At a failed attempt a
   * streak at least half the window ($15) old with half the attempts ($16) is warned, and one at
   * least the window old with $16 failed attempts is disabled (disabled_reason, which the claim
   * skips; its deliveries stay pending). Besides the settled rows, the statement returns one row
   * per streak it warned or disabled: no id, state {@code warned} or {@code disabled}, age_seconds
   * the streak's age, failed_attempts, and the reason.
   *
   * <p>$1 ids, $2 lease tokens, $3 new states, $4 retry delays in ms (pending rows), $5 status
   * codes, $6 errors (null on a pending row: keep the last status and error, e.g. a row handed
   * back unattempted), $7 attempts to give back (1 when nothing was sent), $8 endpoints, $9 ms
   * to hold the endpoint (null: no hold), $10 reason to disable the endpoint (null: none), $11
   * attempt start in epoch microseconds, $12 attempt durations in ms, $13 response excerpts, $14
   * this relay's instance id, $15 auto-disable window in ms (null: never warn or disable), $16
   * auto-disable minimum failed attempts, $17 what each attempt says of the receiver (true
   * delivered, false failed, null nothing).
   */
  public String settle() {
    return s("""
        WITH o AS (
            SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::bigint[], $5::int[], $6::text[],
                                 $7::int[], $8::text[], $9::bigint[], $10::text[], $11::bigint[], $12::int[],
                                 $13::text[], $17::boolean[])
                   AS o(id, token, state, delay_ms, status, error, refund, endpoint, hold_ms, disable,
                        started_us, duration_ms, excerpt, verdict)
        ), outcome AS (
            -- A retry (or a hand-back) of a row whose key a later pending delivery supersedes ends
            -- superseded instead: the later message carries the newer state. Primary-key probe,
            -- then delivery_supersede_idx (only for rows that have a supersede key).
            SELECT o.id, o.token, o.delay_ms, o.status, o.refund,
                   CASE WHEN l.event_id IS NULL THEN o.state ELSE 'superseded' END AS state,
                   CASE WHEN l.event_id IS NULL THEN o.error
                        ELSE 'superseded by event ' || l.event_id || coalesce(' after: ' || o.error, '') END AS error
              FROM o
              LEFT JOIN LATERAL (
                    SELECT m.event_id
                      FROM {s}.delivery x
                      JOIN {s}.delivery y ON y.endpoint = x.endpoint AND y.supersede_key = x.supersede_key
                                         AND y.state = 'pending' AND y.message_id > x.message_id
                      JOIN {s}.message m ON m.id = y.message_id
                     WHERE x.id = o.id AND o.state = 'pending' AND x.supersede_key IS NOT NULL
                     ORDER BY y.message_id DESC
                     LIMIT 1) l ON true
        ), settled AS (
            UPDATE {s}.delivery d
               SET state = o.state,
                   next_attempt_at = CASE WHEN o.state = 'pending'
                                          THEN now() + o.delay_ms * interval '1 millisecond'
                                          ELSE d.next_attempt_at END,
                   settled_at = CASE WHEN o.state = 'pending' THEN NULL ELSE now() END,
                   lease_token = NULL,
                   attempts = d.attempts - o.refund,
                   last_status = CASE WHEN o.state = 'pending' AND o.error IS NULL THEN d.last_status ELSE o.status END,
                   last_error = CASE WHEN o.state = 'pending' AND o.error IS NULL THEN d.last_error ELSE o.error END
              FROM outcome o
             WHERE d.id = o.id
               AND d.lease_token = o.token
               AND d.state = 'pending'
            RETURNING d.id, d.endpoint, d.state, d.attempts, d.created_at
        ), recorded AS (
            -- Only rows the fenced update changed; d.attempts is then the claim's attempt number.
            INSERT INTO {s}.attempt (delivery_id, attempt, endpoint, instance_id, started_at, duration_ms, status,
                                     error, response_excerpt)
            -- A settlement without timing (none should come) is recorded at now(), never refused:
            -- a failing insert would fail the whole settle.
            SELECT t.id, t.attempts, t.endpoint, $14::uuid,
                   coalesce(timestamptz 'epoch' + o.started_us * interval '1 microsecond', now()),
                   coalesce(o.duration_ms, 0), o.status, o.error, o.excerpt
              FROM settled t
              JOIN o ON o.id = t.id
             WHERE o.refund = 0
        ), endpoints AS (
            -- Holds, 410 disables and the failure streak (V9). Only endpoints that need a write are
            -- locked and written: a hold, a disable, a failed attempt, or a delivered attempt that
            -- ends a streak. A healthy endpoint's row is only read (primary key), never rewritten.
            -- p locks them first, in name order (concurrent settles cannot deadlock on them), so it
            -- reads the latest values, and RETURNING can tell what this statement changed: exactly
            -- one settle, of any relay, warns or disables a streak. NO KEY UPDATE: the lock the
            -- update takes anyway, nothing stronger (FOR UPDATE would also conflict with KEY SHARE).
            UPDATE {s}.endpoint e
               SET not_before = CASE WHEN p.hold_ms IS NULL THEN e.not_before
                                     ELSE greatest(e.not_before, now() + p.hold_ms * interval '1 millisecond') END,
                   disabled_reason = coalesce(e.disabled_reason, p.disable, p.auto_disable),
                   failing_since = p.failing_since,
                   failed_attempts = p.failed_attempts,
                   warned_at = p.warned_at,
                   updated_at = now()
              FROM (SELECT x.name, a.hold_ms, a.disable, t.failing_since, t.failed_attempts,
                           CASE WHEN t.failing_since IS NULL THEN NULL
                                WHEN x.warned_at IS NULL AND j.warn THEN now() ELSE x.warned_at END AS warned_at,
                           x.warned_at IS NULL AND j.warn AND NOT j.disable AS warned_now,
                           CASE WHEN j.disable THEN
                               'disabled automatically: every attempt failed for '
                               || justify_hours(date_trunc('minute', now() - t.failing_since)) || ' ('
                               || t.failed_attempts || ' attempts since '
                               || to_char(t.failing_since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC); last error: '
                               || coalesce(a.last_error, 'none recorded')
                               -- No count here: it would be a scan of the backlog inside the settle.
                               || '; its pending deliveries are kept: resume it to retry them' END AS auto_disable
                      FROM {s}.endpoint x
                      -- Attempts count only when their settle landed (l: the fenced update changed the
                      -- row), as in the attempt history: a settle retried after an ambiguous failure
                      -- (it may have committed) or one that came after its lease counts no attempt.
                      JOIN (SELECT o.endpoint, max(o.hold_ms) AS hold_ms, min(o.disable) AS disable,
                                   count(*) FILTER (WHERE NOT o.verdict AND l.id IS NOT NULL) AS failed,
                                   coalesce(bool_or(o.verdict AND l.id IS NOT NULL), false) AS delivered,
                                   (array_agg(o.error ORDER BY o.started_us DESC NULLS LAST)
                                       FILTER (WHERE NOT o.verdict AND l.id IS NOT NULL))[1] AS last_error
                              FROM o LEFT JOIN settled l ON l.id = o.id
                             WHERE o.hold_ms IS NOT NULL OR o.disable IS NOT NULL OR o.verdict IS NOT NULL
                             GROUP BY o.endpoint) a ON a.endpoint = x.name
                     -- A delivered attempt ends the streak (failures in the same batch go with it).
                     CROSS JOIN LATERAL (
                           SELECT CASE WHEN a.delivered THEN NULL
                                       WHEN a.failed > 0 THEN coalesce(x.failing_since, now())
                                       ELSE x.failing_since END AS failing_since,
                                  CASE WHEN a.delivered THEN 0 ELSE x.failed_attempts + a.failed END AS failed_attempts) t
                     -- Judged at a failed attempt only: $15 window ms (null: never), $16 min failed attempts.
                     CROSS JOIN LATERAL (
                           SELECT coalesce(a.failed > 0 AND NOT a.delivered AND x.disabled_reason IS NULL
                                           AND now() - t.failing_since >= $15::bigint * interval '1 millisecond' / 2
                                           AND t.failed_attempts >= ($16::int + 1) / 2, false) AS warn,
                                  coalesce(a.failed > 0 AND NOT a.delivered AND x.disabled_reason IS NULL
                                           AND a.disable IS NULL
                                           AND now() - t.failing_since >= $15::bigint * interval '1 millisecond'
                                           AND t.failed_attempts >= $16::int, false) AS disable) j
                     WHERE a.hold_ms IS NOT NULL OR a.disable IS NOT NULL OR a.failed > 0
                        OR (a.delivered AND x.failing_since IS NOT NULL)
                     ORDER BY x.name
                       FOR NO KEY UPDATE OF x) p
             WHERE e.name = p.name
            RETURNING e.name, p.warned_now, p.auto_disable IS NOT NULL AS disabled_now, e.failed_attempts,
                      extract(epoch FROM now() - e.failing_since) AS streak_seconds, e.disabled_reason
        )
        SELECT t.id, t.endpoint, t.state, extract(epoch FROM now() - t.created_at) AS age_seconds,
               NULL::integer AS failed_attempts, NULL::text AS reason
          FROM settled t
        UNION ALL
        -- Streaks this statement warned or disabled: no delivery id, state 'warned' or 'disabled'.
        SELECT NULL, n.name, CASE WHEN n.disabled_now THEN 'disabled' ELSE 'warned' END, n.streak_seconds,
               n.failed_attempts, n.disabled_reason
          FROM endpoints n
         WHERE n.warned_now OR n.disabled_now
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

  /**
   * Time until the earliest future due row of an endpoint this relay serves ($1), for the
   * retry timer; leased rows count too (their lease expiry). A loose index scan over
   * delivery_due_idx, one short probe per endpoint with pending rows. Keyed rows are left out:
   * their retries are timed by the relay that settled them, and the poll finds the rest.
   */
  public String nextDue() {
    return s("""
        WITH RECURSIVE walk(name) AS (
            SELECT (SELECT min(x.endpoint) FROM {s}.delivery x
                     WHERE x.state = 'pending' AND x.ordering_key IS NULL)
            UNION ALL
            SELECT (SELECT min(x.endpoint) FROM {s}.delivery x
                     WHERE x.state = 'pending' AND x.ordering_key IS NULL AND x.endpoint > w.name)
              FROM walk w WHERE w.name IS NOT NULL)
        SELECT extract(epoch FROM min(n.due) - now()) * 1000
          FROM walk w
          CROSS JOIN LATERAL (
                SELECT x.next_attempt_at AS due FROM {s}.delivery x
                 WHERE x.endpoint = w.name AND x.state = 'pending' AND x.ordering_key IS NULL
                   AND x.next_attempt_at > now()
                 ORDER BY x.next_attempt_at LIMIT 1) n
         WHERE w.name IS NOT NULL
           AND %s
        """.formatted(servedBy("$1", "w.name")));
  }

  /**
   * Whether relay {@code instance} serves endpoint {@code name}: it registered it (configured),
   * or it is a runtime endpoint (not deleted) and the relay serves those. Primary-key probes.
   */
  private static String servedBy(String instance, String name) {
    return ("(EXISTS (SELECT 1 FROM {s}.instance_endpoint r WHERE r.instance_id = %1$s AND r.endpoint = %2$s"
        + " AND NOT r.runtime) OR EXISTS (SELECT 1 FROM {s}.endpoint e JOIN {s}.instance i ON i.id = %1$s"
        + " AND i.serves_runtime WHERE e.name = %2$s AND e.runtime AND NOT e.removed))").formatted(instance, name);
  }

  /** Pushes the payload limit to the SQL side, where relay.publish enforces it. $1 bytes. */
  public String setMaxPayload() {
    return s("""
        INSERT INTO {s}.setting (key, value) VALUES ('max_payload_bytes', $1)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value
        """);
  }

  /**
   * Publishes through the same function applications call. $1..$6 as relay.publish, $7 its
   * supersede_key.
   */
  public String publish() {
    return s("SELECT {s}.publish($1, $2::jsonb, $3, $4, $5, coalesce($6, 'application/json'),"
        + " supersede_key => $7, tenant => $8)");
  }

  // ---- endpoints ----------------------------------------------------------------------------

  /**
   * Registers this relay ($1, named $2 for operators) with the endpoints it serves ($3, a JSON
   * array of {name, event_types, patterns, on_dead_letter, paused}) and reconciles routing
   * against registrations live within $4 ms; $5 whether it serves the runtime endpoints too. See
   * relay.register_instance.
   */
  public String registerInstance() {
    return s("SELECT {s}.register_instance($1, $2, $3::jsonb, $4 * interval '1 millisecond', $5)");
  }

  /**
   * Marks endpoints this relay ($1) is draining ($2: it claims them again by itself, publishes to
   * them need not NOTIFY) and clears the mark of those it stopped draining ($3); a runtime
   * endpoint's mark row is made when first needed (a runtime endpoint with no mark of a relay
   * that serves runtime endpoints makes publishes NOTIFY). Index: instance_endpoint's primary key.
   */
  public String setDraining() {
    return s("""
        WITH marked AS (
            UPDATE {s}.instance_endpoint SET draining = (endpoint = ANY ($2::text[]))
             WHERE instance_id = $1 AND (endpoint = ANY ($2::text[]) OR endpoint = ANY ($3::text[]))
            RETURNING endpoint)
        -- A runtime endpoint gets its row the first time this relay drains it.
        INSERT INTO {s}.instance_endpoint (instance_id, endpoint, event_types, event_type_patterns, on_dead_letter,
                                           runtime, draining)
        SELECT $1, e.name, '{}', '{}', e.on_dead_letter, true, true
          FROM {s}.endpoint e
         WHERE e.name = ANY ($2::text[]) AND e.runtime AND NOT e.removed
           AND e.name NOT IN (SELECT m.endpoint FROM marked m)
        ON CONFLICT (instance_id, endpoint) DO NOTHING
        """);
  }

  /** Keeps $1 alive; false when it must register again. Expires instances silent for $2 ms. */
  public String heartbeat() {
    return s("SELECT {s}.heartbeat($1, $2 * interval '1 millisecond')");
  }

  /** Ends $1's registrations now and reconciles routing ($2 ms liveness). */
  public String deregisterInstance() {
    return s("SELECT {s}.deregister_instance($1, $2 * interval '1 millisecond')");
  }

  /**
   * Creates endpoints that do not exist yet, so publishes route to them before any relay serving
   * them has started (e.g. right after {@code relay migrate}). Changes nothing that exists.
   * $1 as for registerInstance.
   */
  public String declareEndpoints() {
    return s("""
        INSERT INTO {s}.endpoint (name, event_types, event_type_patterns, on_dead_letter, paused, paused_reason)
        SELECT r.name, r.event_types, r.patterns, r.on_dead_letter, r.paused,
               CASE WHEN r.paused THEN 'paused in configuration' END
          FROM jsonb_to_recordset($1::jsonb)
               AS r(name text, event_types text[], patterns text[], on_dead_letter text, paused boolean)
        ON CONFLICT (name) DO NOTHING
        """);
  }

  /**
   * Pending deliveries of endpoints this relay ($1) does not serve, and whether any live relay
   * (heartbeat within $2 ms) does: rows waiting for another relay. A loose scan over the pending
   * indexes finds the endpoints; counts use delivery_due_idx and delivery_key_idx.
   */
  public String unserved() {
    return s("""
        WITH RECURSIVE walk(name) AS (
            SELECT %1$s
            UNION ALL
            SELECT %2$s FROM walk w WHERE w.name IS NOT NULL)
        SELECT w.name AS endpoint,
               (SELECT p.backlog FROM %4$s p) AS pending,
               EXISTS (SELECT 1 FROM {s}.instance_endpoint r JOIN {s}.instance i ON i.id = r.instance_id
                        WHERE r.endpoint = w.name AND NOT r.runtime
                          AND i.heartbeat_at > now() - $2 * interval '1 millisecond')
               OR EXISTS (SELECT 1 FROM {s}.endpoint e JOIN {s}.instance i ON i.serves_runtime
                           WHERE e.name = w.name AND e.runtime AND NOT e.removed
                             AND i.heartbeat_at > now() - $2 * interval '1 millisecond') AS served
          FROM walk w
         WHERE w.name IS NOT NULL
           AND NOT %3$s
         ORDER BY w.name
        """.formatted(nextEndpoint(null), nextEndpoint("w.name"), servedBy("$1", "w.name"), pendingOf("w.name")));
  }

  /**
   * Ordering keys held by a dead letter on endpoints whose dead letters block their key ($1 name
   * or null for all): the key, its earliest dead letter, and how many messages wait behind it.
   * Index: delivery_dead_key_idx, then delivery_key_idx.
   */
  public String blockedKeys() {
    return s("""
        SELECT e.name AS endpoint, z.ordering_key, min(z.id) AS dead_letter_id,
               (SELECT count(*) FROM {s}.delivery x
                 WHERE x.endpoint = e.name AND x.state = 'pending' AND x.ordering_key = z.ordering_key) AS waiting
          FROM {s}.endpoint e
          JOIN {s}.delivery z ON z.endpoint = e.name AND z.state = 'dead' AND z.ordering_key IS NOT NULL
         WHERE e.on_dead_letter = 'block' AND ($1::text IS NULL OR e.name = $1)
         GROUP BY e.name, z.ordering_key
         ORDER BY e.name, z.ordering_key
         LIMIT $2
        """);
  }

  /** $1 name, $2 reason. */
  public String pauseEndpoint() {
    return s("""
        UPDATE {s}.endpoint SET paused = true, paused_reason = $2, updated_at = now()
         WHERE name = $1
        """);
  }

  /** Clears a pause, a disable (410 or automatic) and the failure streak. $1 name. */
  public String resumeEndpoint() {
    return s("""
        UPDATE {s}.endpoint SET paused = false, paused_reason = NULL, disabled_reason = NULL,
               failing_since = NULL, failed_attempts = 0, warned_at = NULL, updated_at = now()
         WHERE name = $1
        """);
  }

  /**
   * Endpoints with their backlog, oldest pending age (database time) and dead letters.
   * Indexes: delivery_due_idx and delivery_key_idx for pending, delivery_dead_idx for dead. $1 name
   * or null for all.
   */
  public String listEndpoints() {
    return s("""
        SELECT e.name, e.event_types, e.removed, e.paused, e.paused_reason, e.disabled_reason, e.on_dead_letter,
               CASE WHEN e.not_before > now() THEN e.not_before END AS held_until,
               e.failing_since, e.failed_attempts, e.warned_at,
               coalesce(p.backlog, 0) AS backlog,
               extract(epoch FROM now() - p.oldest) AS oldest_age_seconds,
               (SELECT count(*) FROM {s}.delivery d WHERE d.endpoint = e.name AND d.state = 'dead') AS dead
          FROM {s}.endpoint e
          CROSS JOIN LATERAL %1$s p
         WHERE $1::text IS NULL OR e.name = $1
         ORDER BY e.name
        """.formatted(pendingOf("e.name")));
  }

  /**
   * Backlog and oldest pending age for every configured endpoint this relay ($1) serves (0 when
   * idle, so alerts see a series), and for its runtime endpoints with pending rows: one row each
   * when $2 (their own series, an opt-in), else one row summed over them, named {@link
   * #RUNTIME_SERIES}. Runtime endpoints are found by a loose index scan over the pending rows, so
   * 100,000 idle ones cost nothing. Indexes: instance_endpoint's key, then delivery_due_idx and
   * delivery_key_idx per endpoint.
   */
  public String backlog() {
    return s("""
        WITH RECURSIVE walk(name) AS (
            SELECT %1$s
            UNION ALL
            SELECT %2$s FROM walk w WHERE w.name IS NOT NULL),
        runtime AS (
            SELECT w.name, p.backlog, p.oldest
              FROM walk w
              JOIN {s}.endpoint e ON e.name = w.name AND e.runtime AND NOT e.removed
              JOIN {s}.instance i ON i.id = $1 AND i.serves_runtime
              CROSS JOIN LATERAL %4$s p
             WHERE w.name IS NOT NULL)
        SELECT r.endpoint, p.backlog, coalesce(extract(epoch FROM now() - p.oldest), 0) AS oldest
          FROM {s}.instance_endpoint r
          CROSS JOIN LATERAL %5$s p
         WHERE r.instance_id = $1 AND NOT r.runtime
        UNION ALL
        SELECT t.name, t.backlog, coalesce(extract(epoch FROM now() - t.oldest), 0)
          FROM runtime t
         WHERE $2
        UNION ALL
        SELECT '%3$s', coalesce(sum(t.backlog), 0)::bigint, coalesce(extract(epoch FROM now() - min(t.oldest)), 0)
          FROM runtime t
         WHERE NOT $2
        HAVING count(*) > 0
        """.formatted(nextEndpoint(null), nextEndpoint("w.name"), RUNTIME_SERIES, pendingOf("w.name"),
            pendingOf("r.endpoint")));
  }

  /** The endpoint label of metrics summed over runtime endpoints (no endpoint name can start with '_'). */
  public static final String RUNTIME_SERIES = "_runtime";

  /**
   * Superseded deliveries still kept (retention purges them with the delivered ones), per endpoint
   * this relay ($1) serves: every configured one (0 when none, so the series exists), and the
   * runtime endpoints that have any, found by a loose index scan over delivery_superseded_idx (so
   * 100,000 runtime endpoints without superseded rows cost nothing). The caller labels runtime
   * endpoints as their metrics are labelled. Counts: delivery_superseded_idx.
   */
  public String supersededCount() {
    return s("""
        WITH RECURSIVE walk(name) AS (
            SELECT (SELECT min(x.endpoint) FROM {s}.delivery x WHERE x.state = 'superseded')
            UNION ALL
            SELECT (SELECT min(x.endpoint) FROM {s}.delivery x WHERE x.state = 'superseded' AND x.endpoint > w.name)
              FROM walk w WHERE w.name IS NOT NULL)
        SELECT r.endpoint,
               (SELECT count(*) FROM {s}.delivery d WHERE d.endpoint = r.endpoint AND d.state = 'superseded') AS superseded
          FROM {s}.instance_endpoint r
         WHERE r.instance_id = $1 AND NOT r.runtime
        UNION ALL
        SELECT w.name,
               (SELECT count(*) FROM {s}.delivery d WHERE d.endpoint = w.name AND d.state = 'superseded') AS superseded
          FROM walk w
          JOIN {s}.instance_endpoint r ON r.instance_id = $1 AND r.endpoint = w.name AND r.runtime
         WHERE w.name IS NOT NULL
        """);
  }

  /**
   * Endpoints warned of a failure streak (not disabled) and endpoints disabled (automatically or
   * by a 410), for the failing-endpoints gauge. Index: endpoint_failing_idx (only failing or
   * disabled endpoints are in it).
   */
  public String failingEndpoints() {
    return s("""
        SELECT count(*) FILTER (WHERE e.disabled_reason IS NULL AND e.warned_at IS NOT NULL) AS warning,
               count(*) FILTER (WHERE e.disabled_reason IS NOT NULL) AS disabled
          FROM {s}.endpoint e
         WHERE e.failing_since IS NOT NULL OR e.disabled_reason IS NOT NULL
        """);
  }

  /** Messages nobody subscribed to, still within retention. Index: message_unrouted_idx. */
  public String unroutedCount() {
    return s("SELECT count(*) FROM {s}.message WHERE unrouted");
  }

  // ---- runtime endpoints -------------------------------------------------------------------------

  private static final String RUNTIME_COLUMNS = """
      e.name, e.url, e.event_types, e.tenant, e.metadata::text AS metadata, e.on_dead_letter, e.paused,
      e.version, e.created_at, e.updated_at, e.secret_sealed, e.secret_plain, e.previous_secret_sealed,
      e.previous_secret_plain, e.previous_secret_expires_at,
      extract(epoch FROM e.previous_secret_expires_at - now()) * 1000 AS previous_ms_left
      """;

  /** One runtime endpoint with its secrets as stored. $1 name. Index: the primary key. */
  public String runtimeEndpoint() {
    return s("SELECT " + RUNTIME_COLUMNS + " FROM {s}.endpoint e WHERE e.name = $1 AND e.runtime AND NOT e.removed");
  }

  /**
   * Versions of runtime endpoints ($1 names) as they are now; a name missing from the answer was
   * deleted. Index: the primary key.
   */
  public String runtimeVersions() {
    return s("""
        SELECT e.name, e.version FROM {s}.endpoint e WHERE e.name = ANY ($1::text[]) AND e.runtime AND NOT e.removed
        """);
  }

  /**
   * Runtime endpoints after $2 (by name) with a secret not sealed yet, at most $1: a pass walks
   * on by name rather than starting over (the index keeps entries of rows sealed moments ago
   * until vacuum). Index: endpoint_unsealed_idx.
   */
  public String unsealedEndpoints() {
    return s("SELECT " + RUNTIME_COLUMNS + """
          FROM {s}.endpoint e
         WHERE (e.secret_plain IS NOT NULL OR e.previous_secret_plain IS NOT NULL) AND e.name > $2
         ORDER BY e.name LIMIT $1
        """);
  }

  /**
   * Runtime endpoints after $2 (by name) with a secret sealed under another key than $1 (the key
   * id), at most $3: the key-rotation pass. A scan of the endpoint table; it runs rarely.
   */
  public String endpointsSealedWithOtherKeys() {
    return s("SELECT " + RUNTIME_COLUMNS + """
          FROM {s}.endpoint e
         WHERE e.runtime AND NOT e.removed AND e.name > $2
           AND (split_part(e.secret_sealed, ':', 1) <> $1 OR split_part(e.previous_secret_sealed, ':', 1) <> $1)
         ORDER BY e.name LIMIT $3
        """);
  }

  /**
   * Stores sealed secrets of runtime endpoints, each only if it is still at the version read (else
   * it changed meanwhile and the next pass sees the new secrets), dropping their plain text. $1
   * names, $2 versions, $3 sealed current secrets (null: keep), $4 sealed previous secrets (null:
   * keep). A previous secret past its overlap is dropped. The version stays: the secrets did not
   * change. One statement per batch. Index: the primary key.
   */
  public String sealEndpointSecrets() {
    return s("""
        UPDATE {s}.endpoint e
           SET secret_sealed = coalesce(s.sealed, e.secret_sealed),
               secret_plain = CASE WHEN s.sealed IS NULL THEN e.secret_plain END,
               previous_secret_sealed = CASE WHEN e.previous_secret_expires_at > now()
                                             THEN coalesce(s.previous, e.previous_secret_sealed) END,
               previous_secret_plain = CASE WHEN e.previous_secret_expires_at > now() AND s.previous IS NULL
                                            THEN e.previous_secret_plain END,
               previous_secret_expires_at = CASE WHEN e.previous_secret_expires_at > now()
                                                 THEN e.previous_secret_expires_at END
          FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) AS s(name, version, sealed, previous)
         WHERE e.name = s.name AND e.version = s.version AND e.runtime AND NOT e.removed
        """);
  }

  /**
   * Discards pending deliveries of endpoints that no longer exist or were deleted (a tombstone):
   * a publish that routed to a runtime endpoint while relay.delete_endpoint was deleting it
   * commits a delivery the delete could not see, and a replayed dead letter of a deleted endpoint
   * comes back pending. Nothing can deliver it (no relay serves a missing endpoint), so it ends as
   * the delete would have ended it. A loose index scan finds the endpoints with pending rows
   * (delivery_due_idx, delivery_key_idx), the primary key of endpoint tells the missing ones.
   */
  public String discardOrphans() {
    return s("""
        WITH RECURSIVE walk(name) AS (
            SELECT %1$s
            UNION ALL
            SELECT %2$s FROM walk w WHERE w.name IS NOT NULL)
        UPDATE {s}.delivery d
           SET state = 'discarded', settled_at = now(), lease_token = NULL,
               last_error = 'endpoint deleted (this message was published while it was being deleted)'
         WHERE d.endpoint IN (SELECT w.name FROM walk w
                               WHERE w.name IS NOT NULL
                                 AND NOT EXISTS (SELECT 1 FROM {s}.endpoint e
                                                  WHERE e.name = w.name AND e.deleted_at IS NULL))
           AND d.state = 'pending'
        """.formatted(nextEndpoint(null), nextEndpoint("w.name")));
  }

  /**
   * Deletes tombstones of runtime endpoints deleted more than $1 ms ago (the longest retention:
   * their deliveries are purged by then), which frees their names. Index: endpoint_deleted_idx.
   */
  public String purgeTombstones() {
    return s("""
        DELETE FROM {s}.endpoint e
         WHERE e.deleted_at < now() - $1 * interval '1 millisecond' AND e.runtime
        """);
  }

  /**
   * Drops rotated-out secrets whose overlap has ended (relays stopped signing with them then).
   * Index: endpoint_previous_secret_idx.
   */
  public String dropExpiredSecrets() {
    return s("""
        UPDATE {s}.endpoint e
           SET previous_secret_sealed = NULL, previous_secret_plain = NULL, previous_secret_expires_at = NULL
         WHERE e.previous_secret_expires_at <= now()
        """);
  }

  /**
   * relay.create_endpoint: $1 name, $2 url, $3 event types, $4 tenant, $5 metadata (JSON text),
   * $6 secret (null: generate), $7 on_dead_letter. Returns the secret.
   */
  public String createEndpoint() {
    return s("SELECT {s}.create_endpoint($1, $2, $3::text[], $4, $5::jsonb, $6, $7)");
  }

  /**
   * relay.update_endpoint: $1 name, $2 url, $3 event types, $4 tenant, $5 metadata (JSON text),
   * $6 on_dead_letter; null keeps a value.
   */
  public String updateEndpoint() {
    return s("""
        SELECT {s}.update_endpoint($1, url => $2, event_types => $3::text[], tenant => $4, metadata => $5::jsonb,
                                   on_dead_letter => $6)
        """);
  }

  /**
   * relay.rotate_endpoint_secret: $1 name, $2 secret (null: generate), $3 overlap in ms, $4
   * force (rotate again while the previous secret still signs).
   */
  public String rotateEndpointSecret() {
    return s("SELECT {s}.rotate_endpoint_secret($1, $2, $3 * interval '1 millisecond', $4)");
  }

  /** relay.delete_endpoint: $1 name, $2 reason. Returns the deliveries discarded. */
  public String deleteEndpoint() {
    return s("SELECT {s}.delete_endpoint($1, $2)");
  }

  /**
   * Runtime endpoints, by name after $2, at most $3, of tenant $1 (null: every tenant). Index:
   * endpoint_tenant_idx with a tenant, else the primary key.
   */
  public String listRuntimeEndpoints() {
    return s("SELECT " + RUNTIME_COLUMNS + """
          FROM {s}.endpoint e
         WHERE e.runtime AND NOT e.removed AND e.name > $2 AND ($1::text IS NULL OR e.tenant = $1)
         ORDER BY e.name LIMIT $3
        """);
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

  // ---- attempt history ----------------------------------------------------------------------

  private static final String ATTEMPT_COLUMNS = """
      a.delivery_id, a.attempt, a.endpoint, m.event_id, a.instance_id, i.name AS instance_name, a.started_at,
      a.duration_ms, a.status, a.error, a.response_excerpt
      """;

  /** The joins ATTEMPT_COLUMNS needs, one primary-key probe each (the instance row goes when its relay stops). */
  private static final String ATTEMPT_JOINS = """
        JOIN {s}.delivery d ON d.id = a.delivery_id
        JOIN {s}.message m ON m.id = d.message_id
        LEFT JOIN {s}.instance i ON i.id = a.instance_id
      """;

  /** $1 event id: the message itself (it may have no delivery). Index: message event_id unique. */
  public String messageByEventId() {
    return s("SELECT m.id, m.event_id, m.event_type, m.ordering_key, m.unrouted, m.created_at"
        + " FROM {s}.message m WHERE m.event_id = $1");
  }

  /**
   * The attempts of every delivery of one message, oldest first per delivery. $1 event id, $2
   * limit. Index: message event_id unique, delivery (message_id, endpoint), attempt primary key.
   */
  public String attemptsByEventId() {
    return s("SELECT " + ATTEMPT_COLUMNS + """
          FROM {s}.message mm
          JOIN {s}.delivery dd ON dd.message_id = mm.id
          JOIN {s}.attempt a ON a.delivery_id = dd.id
        """ + ATTEMPT_JOINS + """
         WHERE mm.event_id = $1
         ORDER BY a.delivery_id, a.id
         LIMIT $2
        """);
  }

  /** The attempts of one delivery, oldest first. $1 delivery id, $2 limit. Index: attempt primary key. */
  public String attemptsByDelivery() {
    return s("SELECT " + ATTEMPT_COLUMNS + " FROM {s}.attempt a " + ATTEMPT_JOINS + """
         WHERE a.delivery_id = $1
         ORDER BY a.id
         LIMIT $2
        """);
  }

  /** An endpoint's failed attempts, newest first. $1 endpoint, $2 limit. Index: attempt_failure_idx. */
  public String endpointFailures() {
    return s("SELECT " + ATTEMPT_COLUMNS + " FROM {s}.attempt a " + ATTEMPT_JOINS + """
         WHERE a.endpoint = $1 AND a.error IS NOT NULL
         ORDER BY a.id DESC
         LIMIT $2
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
   * Delivers every message published since $2 to endpoint $1 again (or for the first time), but
   * only what the endpoint was subscribed to: messages that had a delivery to it, and messages
   * nobody received (unrouted) that it would take now (addressed to it, or unaddressed with a
   * matching event type). Never a message addressed to another endpoint or of a type it does not
   * take. Missing deliveries are created, terminal ones go back to pending, pending ones are left
   * alone, and so are superseded ones: the message that superseded one went to the same endpoint
   * later, so it is replayed too, and sending the older state again could land after it. Index:
   * message_created_at_idx, then delivery (message_id, endpoint).
   *
   * <p>The messages are locked FOR KEY SHARE, as a foreign key's check would (V12 dropped it from
   * the publish path): a retention purge deleting one of them at the same time waits for this
   * statement's transaction and then keeps the message (its delete trigger sees the new
   * delivery), or deleted it first and this statement skips it.
   */
  public String replayMessages() {
    return s("""
        INSERT INTO {s}.delivery AS d (message_id, endpoint, created_at, next_attempt_at, ordering_key, supersede_key)
        SELECT m.id, e.name, m.created_at, now(), m.ordering_key, m.supersede_key
          FROM {s}.endpoint e
          JOIN {s}.message m ON m.created_at >= $2
         WHERE e.name = $1
           AND (EXISTS (SELECT 1 FROM {s}.delivery x WHERE x.message_id = m.id AND x.endpoint = e.name)
                OR (m.unrouted
                    AND CASE WHEN m.target_endpoint IS NOT NULL THEN m.target_endpoint = e.name
                             -- A runtime endpoint takes only its own tenant's messages (V11), a
                             -- configured one only those published to no tenant.
                             WHEN CASE WHEN e.runtime THEN m.tenant IS DISTINCT FROM e.tenant OR e.tenant IS NULL
                                       ELSE m.tenant IS NOT NULL END THEN false
                             ELSE cardinality(e.event_type_patterns) = 0
                                  OR m.event_type LIKE ANY (e.event_type_patterns) END))
           FOR KEY SHARE OF m
        ON CONFLICT (message_id, endpoint) DO UPDATE
           SET state = 'pending', attempts = 0, next_attempt_at = now(), settled_at = NULL,
               lease_token = NULL
         WHERE d.state NOT IN ('pending', 'superseded')
        """);
  }

  // ---- retention ---------------------------------------------------------------------------------

  /**
   * Deletes one small batch of terminal deliveries past their window, and their attempt history
   * in the same statement (so no attempt outlives its delivery, without a foreign key on the
   * settle's hot path). Never a pending row: the state is in the WHERE of both the choice and the
   * delete, and only attempts of rows actually deleted go. Returns the deliveries and attempts
   * deleted. Index: delivery_settled_idx, then the attempt primary key.
   * $1 delivered/discarded window ms, $2 dead window ms, $3 batch size.
   */
  public String purgeDeliveries() {
    return s("""
        WITH gone AS (
            DELETE FROM {s}.delivery
             WHERE id = ANY (ARRAY(
                     SELECT x.id FROM {s}.delivery x
                      WHERE x.state <> 'pending'
                        AND x.settled_at < now() - CASE WHEN x.state = 'dead'
                                                         THEN $2 * interval '1 millisecond'
                                                         ELSE $1 * interval '1 millisecond' END
                      LIMIT $3))
               AND state <> 'pending'
            RETURNING id
        ), history AS (
            DELETE FROM {s}.attempt a USING gone WHERE a.delivery_id = gone.id
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM gone) AS deliveries, (SELECT count(*) FROM history) AS attempts
        """);
  }

  /**
   * Deletes one batch of messages past the window that no delivery references any more (the
   * message_keep_referenced trigger skips any other, V12). Index: message_created_at_idx, then
   * delivery (message_id, endpoint). $1 window ms, $2 batch size.
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
