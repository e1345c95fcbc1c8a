-- Publishing that costs the application little: no NOTIFY while relays are busy, fan-out inside
-- the publish functions (no trigger, no transition table, no second write to mark unrouted
-- messages), a set-based batch publish, and a cheaper index on message age.

-- ---- NOTIFY only when a relay would otherwise not look --------------------------------------------
-- Postgres serializes the commits of every transaction that issued a NOTIFY (a cluster-wide lock
-- keeps the notification queue in commit order). A relay marks the endpoints it is draining (it
-- claims them again by itself as rows keep coming) and clears the mark when a claim finds nothing,
-- then claims once more, so a publish racing the clear is either seen by that claim or sees the
-- mark cleared and notifies. A publish notifies only if some relay serving one of its endpoints is
-- idle for it, and never when no relay runs. docs/operations.md explains the failure modes.
ALTER TABLE ${schema}.instance_endpoint ADD COLUMN draining boolean NOT NULL DEFAULT false;
-- Publishes look up the relays serving the endpoints they wrote to.
CREATE INDEX instance_endpoint_endpoint_idx ON ${schema}.instance_endpoint (endpoint);

-- ---- Cheaper writes ---------------------------------------------------------------------------------
-- Retention and "replay since" scan messages by age; a BRIN index on an append-only table serves
-- those range scans for a fraction of a b-tree's cost on every insert.
DROP INDEX ${schema}.message_created_at_idx;
CREATE INDEX message_created_at_idx ON ${schema}.message USING brin (created_at);

-- Fan-out moves into the publish functions.
DROP TRIGGER message_fan_out ON ${schema}.message;
DROP FUNCTION ${schema}.fan_out();

-- ---- Shared rules -----------------------------------------------------------------------------------

-- What is wrong with one event, or NULL: 'SQLSTATE:message'. The one place publish rules live,
-- used by publish and publish_batch. Limits: event_type and event_id 1-255, content_type and
-- ordering_key at most 255 printable characters, payload at most p_max_bytes as sent.
CREATE FUNCTION ${schema}.publish_problem(
    p_event_type text, p_payload jsonb, p_max_bytes integer, p_ordering_key text, p_event_id text,
    p_content_type text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $fn$
    SELECT CASE
        WHEN p_event_type IS NULL OR btrim(p_event_type) = ''
            THEN '22004:event_type must not be null or empty (pass a type such as ''invoice.paid'')'
        WHEN length(p_event_type) > 255 OR p_event_type ~ '[[:cntrl:]]'
            THEN '22023:event_type must be at most 255 printable characters'
        WHEN p_payload IS NULL
            THEN '22004:payload must not be null (use ''null''::jsonb for a JSON null)'
        WHEN p_event_id IS NOT NULL AND p_event_id !~ '^[!-~]{1,255}$'
            THEN '22023:event_id must be 1-255 printable ASCII characters without spaces, was '
                 || left(regexp_replace(p_event_id, '[[:cntrl:]]', '?', 'g'), 80)
        WHEN p_content_type IS NULL OR length(p_content_type) > 255 OR p_content_type ~ '[[:cntrl:]]'
            THEN '22023:content_type must be a media type such as application/json (at most 255 printable characters)'
        WHEN p_ordering_key IS NOT NULL
             AND (p_ordering_key = '' OR length(p_ordering_key) > 255 OR p_ordering_key ~ '[[:cntrl:]]')
            THEN '22023:ordering_key must be 1-255 printable characters, was '
                 || length(p_ordering_key) || ' characters long (pass NULL for no ordering)'
        WHEN octet_length(p_payload::text) > p_max_bytes
            THEN '54000:payload is ' || octet_length(p_payload::text) || ' bytes, over the limit of '
                 || p_max_bytes || ' bytes (raise delivery.max-payload-bytes, or send a reference instead of the data)'
    END
$fn$;

-- Whether endpoint (name, LIKE patterns) takes a message of this type and target.
CREATE FUNCTION ${schema}.routes(p_name text, p_patterns text[], p_event_type text, p_target text)
RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $fn$
    SELECT CASE WHEN p_target IS NOT NULL THEN p_name = p_target
                ELSE cardinality(p_patterns) = 0 OR p_event_type LIKE ANY (p_patterns) END
$fn$;

-- Whether a relay serving one of these endpoints is idle for it (so a publish must NOTIFY).
CREATE FUNCTION ${schema}.wants_notify(p_endpoints text[])
RETURNS boolean
LANGUAGE sql STABLE
AS $fn$
    SELECT EXISTS (SELECT 1 FROM ${schema}.instance_endpoint r
                    WHERE r.endpoint = ANY (p_endpoints) AND NOT r.draining)
$fn$;

CREATE FUNCTION ${schema}.unknown_endpoint(p_endpoint text) RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    RAISE EXCEPTION 'relay.publish: unknown endpoint "%"', left(p_endpoint, 80)
        USING ERRCODE = '23503',
              HINT = 'Known endpoints: ' || coalesce((SELECT string_agg(k.name, ', ' ORDER BY k.name)
                                              FROM (SELECT e.name FROM ${schema}.endpoint e WHERE NOT e.removed
                                                     ORDER BY e.name LIMIT 20) k), 'none');
END
$fn$;

-- ---- Publish ------------------------------------------------------------------------------------------

-- Publishes one message inside the caller's transaction and creates its deliveries: one per
-- endpoint that takes it (all endpoints whose event-type patterns match, or only the target
-- endpoint). Returns the message id; publishing an event_id again returns the first message's id
-- and creates nothing. A message no endpoint takes is kept, marked unrouted.
--
-- Ordering: publishers of one ordering key take turns until their transaction ends (a
-- transaction-scoped advisory lock on the key), so the message ids of a key grow in commit order,
-- which is what "earlier" means for ordered delivery. Publishers of different keys never wait
-- for each other (a 32-bit hash collision between two keys only costs a wait); unkeyed publishes
-- take no lock.
CREATE OR REPLACE FUNCTION ${schema}.publish(
    event_type   text,
    payload      jsonb,
    ordering_key text DEFAULT NULL,
    event_id     text DEFAULT NULL,
    endpoint     text DEFAULT NULL,
    content_type text DEFAULT 'application/json')
RETURNS bigint
LANGUAGE plpgsql
AS $fn$
#variable_conflict use_variable
DECLARE
    v_problem   text;
    v_endpoints text[];
    v_id        bigint;
BEGIN
    v_problem := ${schema}.publish_problem(event_type, payload,
        (SELECT s.value::integer FROM ${schema}.setting s WHERE s.key = 'max_payload_bytes'),
        ordering_key, event_id, content_type);
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION 'relay.publish: %', substr(v_problem, 7) USING ERRCODE = left(v_problem, 5);
    END IF;
    SELECT array_agg(e.name) INTO v_endpoints
      FROM ${schema}.endpoint e
     WHERE NOT e.removed AND ${schema}.routes(e.name, e.event_type_patterns, event_type, endpoint);
    IF endpoint IS NOT NULL AND v_endpoints IS NULL THEN
        PERFORM ${schema}.unknown_endpoint(endpoint);
    END IF;
    IF ordering_key IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('${schema}.ordering_key'), hashtext(ordering_key));
    END IF;

    INSERT INTO ${schema}.message AS m (event_id, event_type, payload, content_type, ordering_key,
                                        target_endpoint, unrouted)
    VALUES (coalesce(event_id, 'msg_' || replace(gen_random_uuid()::text, '-', '')), event_type, payload,
            content_type, ordering_key, endpoint, v_endpoints IS NULL)
    ON CONFLICT ON CONSTRAINT message_event_id_key DO NOTHING
    RETURNING m.id INTO v_id;

    IF v_id IS NULL THEN
        SELECT m.id INTO v_id FROM ${schema}.message m WHERE m.event_id = event_id;
        RETURN v_id;
    END IF;
    IF v_endpoints IS NOT NULL THEN
        INSERT INTO ${schema}.delivery (message_id, endpoint, created_at, next_attempt_at, ordering_key)
        SELECT v_id, t.name, now(), now(), ordering_key FROM unnest(v_endpoints) AS t(name);
        IF ${schema}.wants_notify(v_endpoints) THEN
            PERFORM pg_notify('${schema}_wakeup', '');
        END IF;
    END IF;
    RETURN v_id;
END
$fn$;

-- One event of a batch, as publish_batch reads it.
CREATE TYPE ${schema}.batch_event AS (
    i bigint, kind text, event_type text, payload jsonb, ordering_key text, given_event_id text,
    event_id text, endpoint text, content_type text);

-- Publishes many messages in one statement, all or nothing, with the same rules and errors as
-- publish (the error names the first bad event by its position, from 1). events: a JSON array
-- of objects {event_type, payload, ordering_key?, event_id?, endpoint?, content_type?}. Returns
-- the message ids in the order of events (an event_id published before, in this batch or
-- earlier, gives the first message's id; the first occurrence decides). Messages of one ordering
-- key keep their order in the array.
CREATE FUNCTION ${schema}.publish_batch(events jsonb)
RETURNS bigint[]
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_max     integer;
    v_events  ${schema}.batch_event[];
    v_bad     record;
    v_ids     bigint[];
    v_touched text[];
BEGIN
    IF events IS NULL OR jsonb_typeof(events) <> 'array' THEN
        RAISE EXCEPTION 'relay.publish_batch: events must be a JSON array of objects, was %',
            coalesce(jsonb_typeof(events), 'null') USING ERRCODE = '22023';
    END IF;
    SELECT s.value::integer INTO v_max FROM ${schema}.setting s WHERE s.key = 'max_payload_bytes';
    SELECT array_agg(ROW(e.i, jsonb_typeof(e.ev), e.ev->>'event_type', e.ev->'payload', e.ev->>'ordering_key',
                         e.ev->>'event_id',
                         coalesce(e.ev->>'event_id', 'msg_' || replace(gen_random_uuid()::text, '-', '')),
                         e.ev->>'endpoint', coalesce(e.ev->>'content_type', 'application/json')
                     )::${schema}.batch_event ORDER BY e.i)
      INTO v_events
      FROM jsonb_array_elements(events) WITH ORDINALITY AS e(ev, i);
    IF v_events IS NULL THEN
        RETURN '{}';
    END IF;

    SELECT p.i, p.problem INTO v_bad
      FROM (SELECT b.i, CASE WHEN b.kind <> 'object' THEN '22023:must be a JSON object, was ' || b.kind
                             ELSE ${schema}.publish_problem(b.event_type, b.payload, v_max, b.ordering_key,
                                                           b.given_event_id, b.content_type) END AS problem
              FROM unnest(v_events) b) p
     WHERE p.problem IS NOT NULL
     ORDER BY p.i
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'relay.publish_batch: event %: %', v_bad.i, substr(v_bad.problem, 7)
            USING ERRCODE = left(v_bad.problem, 5);
    END IF;
    SELECT b.i, b.endpoint INTO v_bad
      FROM unnest(v_events) b
     WHERE b.endpoint IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM ${schema}.endpoint e WHERE e.name = b.endpoint AND NOT e.removed)
     ORDER BY b.i LIMIT 1;
    IF FOUND THEN
        PERFORM ${schema}.unknown_endpoint(v_bad.endpoint);
    END IF;
    -- Keys in a fixed order, so two batches sharing keys cannot deadlock.
    PERFORM pg_advisory_xact_lock(hashtext('${schema}.ordering_key'), hashtext(k.ordering_key))
       FROM (SELECT DISTINCT b.ordering_key FROM unnest(v_events) b WHERE b.ordering_key IS NOT NULL
              ORDER BY 1) k;

    WITH firsts AS (
        SELECT DISTINCT ON (b.event_id) b.* FROM unnest(v_events) b ORDER BY b.event_id, b.i
    ), routed AS (
        SELECT f.i, array_agg(e.name) AS endpoints
          FROM firsts f
          JOIN ${schema}.endpoint e
            ON NOT e.removed AND ${schema}.routes(e.name, e.event_type_patterns, f.event_type, f.endpoint)
         GROUP BY f.i
    ), inserted AS (
        INSERT INTO ${schema}.message AS m (event_id, event_type, payload, content_type, ordering_key,
                                            target_endpoint, unrouted)
        SELECT f.event_id, f.event_type, f.payload, f.content_type, f.ordering_key, f.endpoint, r.i IS NULL
          FROM firsts f LEFT JOIN routed r ON r.i = f.i
         ORDER BY f.i
        ON CONFLICT ON CONSTRAINT message_event_id_key DO NOTHING
        RETURNING m.id, m.event_id, m.ordering_key, m.created_at
    ), deliveries AS (
        INSERT INTO ${schema}.delivery (message_id, endpoint, created_at, next_attempt_at, ordering_key)
        SELECT m.id, t.name, m.created_at, m.created_at, m.ordering_key
          FROM inserted m
          JOIN firsts f ON f.event_id = m.event_id
          JOIN routed r ON r.i = f.i
          CROSS JOIN LATERAL unnest(r.endpoints) AS t(name)
        RETURNING endpoint
    )
    SELECT (SELECT array_agg(coalesce(m.id, old.id) ORDER BY b.i)
              FROM unnest(v_events) b
              LEFT JOIN inserted m ON m.event_id = b.event_id
              LEFT JOIN ${schema}.message old ON old.event_id = b.event_id),
           (SELECT array_agg(DISTINCT d.endpoint) FROM deliveries d)
      INTO v_ids, v_touched;
    IF v_touched IS NOT NULL AND ${schema}.wants_notify(v_touched) THEN
        PERFORM pg_notify('${schema}_wakeup', '');
    END IF;
    RETURN v_ids;
END
$fn$;
