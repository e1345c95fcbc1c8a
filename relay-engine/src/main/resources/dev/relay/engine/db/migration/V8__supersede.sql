-- Latest-state webhooks: relay.publish(..., supersede_key => 'order-42'). When the publishing
-- transaction commits, pending deliveries of earlier messages with the same supersede key to the
-- same endpoint that no relay holds a lease on end 'superseded' (terminal, with the reason, kept
-- and purged like delivered rows). A delivery mid-attempt is never cancelled; if that attempt
-- fails retryably while a later delivery of its key is pending, the settle ends it superseded
-- instead of scheduling a retry. docs/publishing.md describes the rules.
--
-- Cost: a publish without a supersede key writes nothing more (no index entry: the index below is
-- partial, the column is null). A publish with one takes a transaction lock on its key and runs
-- one UPDATE, an index probe of delivery_supersede_idx over the key's pending rows.

-- ---- Schema -------------------------------------------------------------------------------------------
-- NOT VALID: every existing row passed the old, narrower check, so validating would only read the
-- whole queue under this migration's lock; new and updated rows are checked.
ALTER TABLE ${schema}.delivery DROP CONSTRAINT delivery_state_check;
ALTER TABLE ${schema}.delivery ADD CONSTRAINT delivery_state_check
    CHECK (state IN ('pending', 'delivered', 'dead', 'discarded', 'superseded')) NOT VALID;

-- The message keeps its key (what was published, for replays); its deliveries carry a copy, as
-- they do the ordering key, so superseding never touches the message table.
ALTER TABLE ${schema}.message ADD COLUMN supersede_key text COLLATE "C";
ALTER TABLE ${schema}.delivery ADD COLUMN supersede_key text COLLATE "C";

-- Pending rows of a supersede key per endpoint in publish order: what a publish supersedes, and
-- what a failing settle looks for (a later pending row of its key). Partial: holds only pending
-- rows that have a key, so unkeyed publishes never write to it.
CREATE INDEX delivery_supersede_idx ON ${schema}.delivery (endpoint, supersede_key, message_id)
    WHERE state = 'pending' AND supersede_key IS NOT NULL;
-- Superseded rows per endpoint, for the relay_deliveries_superseded gauge.
CREATE INDEX delivery_superseded_idx ON ${schema}.delivery (endpoint) WHERE state = 'superseded';

-- ---- Rules --------------------------------------------------------------------------------------------
-- What is wrong with a supersede key, or NULL ('SQLSTATE:message', as publish_problem). Same limits
-- as ordering_key. SQL and STABLE, so it is inlined where it is called.
CREATE FUNCTION ${schema}.supersede_key_problem(p_supersede_key text)
RETURNS text
LANGUAGE sql STABLE
AS $fn$
    SELECT CASE
        WHEN p_supersede_key IS NOT NULL
             AND (p_supersede_key = '' OR length(p_supersede_key) > 255 OR p_supersede_key ~ '[[:cntrl:]]')
            THEN '22023:supersede_key must be 1-255 printable characters, was '
                 || length(p_supersede_key) || ' characters long (pass NULL for no superseding)'
    END
$fn$;

-- A batch event's first broken rule: as before, then its supersede key. Same signature, so
-- publish_batch (below) inlines the new rule without other changes to its checks.
CREATE OR REPLACE FUNCTION ${schema}.batch_event_problem(p_event jsonb, p_max_bytes integer)
RETURNS text
LANGUAGE sql STABLE
AS $fn$
    SELECT CASE WHEN jsonb_typeof(p_event) <> 'object' THEN '22023:must be a JSON object, was ' || jsonb_typeof(p_event)
                ELSE coalesce(${schema}.publish_problem(p_event->>'event_type', p_event->'payload', p_max_bytes,
                                  p_event->>'ordering_key', p_event->>'event_id',
                                  coalesce(p_event->>'content_type', 'application/json')),
                              ${schema}.supersede_key_problem(p_event->>'supersede_key')) END
$fn$;

-- ---- Publish ------------------------------------------------------------------------------------------
-- relay.publish gains supersede_key at the end: dropped and created again (CREATE OR REPLACE would
-- add a second, ambiguous overload), its EXECUTE grants restored below, as V4 did. Calls that name
-- or position the existing arguments are unchanged.
CREATE TEMPORARY TABLE relay_v8_publish_acl ON COMMIT DROP AS
SELECT p.proacl FROM pg_proc p
 WHERE p.oid = '${schema}.publish(text, jsonb, text, text, text, text, text, text)'::regprocedure;

DROP FUNCTION ${schema}.publish(text, jsonb, text, text, text, text, text, text);

-- Publishes one message inside the caller's transaction and creates its deliveries: one per
-- endpoint that takes it (all endpoints whose event-type patterns match, or only the target
-- endpoint). Returns the message id; publishing an event_id again returns the first message's id
-- and creates (and supersedes) nothing. A message no endpoint takes is kept, marked unrouted.
--
-- Ordering: publishers of one ordering key take turns until their transaction ends (a
-- transaction-scoped advisory lock on the key), so the message ids of a key grow in commit order,
-- which is what "earlier" means for ordered delivery. Publishers of different keys never wait
-- for each other (a 32-bit hash collision between two keys only costs a wait); unkeyed publishes
-- take no lock.
--
-- Superseding: publishers of one supersede key take turns the same way (a lock of its own, taken
-- after the ordering key's), so a publish sees every earlier message of its key committed. It
-- ends 'superseded' the pending deliveries of earlier messages (smaller id) with the same key to
-- the endpoints it delivers to that are not leased; a leased one (mid-attempt) is left alone.
-- Index: delivery_supersede_idx.
--
-- Trace context: traceparent/tracestate, else the transaction-local settings relay.traceparent
-- and relay.tracestate. The payload limit is read before the checks so that they inline, and the
-- NOTIFY check is written out (V6).
CREATE FUNCTION ${schema}.publish(
    event_type    text,
    payload       jsonb,
    ordering_key  text DEFAULT NULL,
    event_id      text DEFAULT NULL,
    endpoint      text DEFAULT NULL,
    content_type  text DEFAULT 'application/json',
    traceparent   text DEFAULT NULL,
    tracestate    text DEFAULT NULL,
    supersede_key text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
AS $fn$
#variable_conflict use_variable
DECLARE
    v_max       integer;
    v_problem   text;
    v_endpoints text[];
    v_trace     text[];
    v_id        bigint;
    v_event_id  text;
BEGIN
    SELECT s.value::integer INTO v_max FROM ${schema}.setting s WHERE s.key = 'max_payload_bytes';
    v_problem := coalesce(${schema}.publish_problem(event_type, payload, v_max, ordering_key, event_id, content_type),
                          ${schema}.supersede_key_problem(supersede_key));
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION 'relay.publish: %', substr(v_problem, 7) USING ERRCODE = left(v_problem, 5);
    END IF;
    IF traceparent IS NOT NULL OR tracestate IS NOT NULL THEN
        v_trace := ${schema}.trace_context(traceparent, tracestate, 'relay.publish');
    ELSIF current_setting('relay.traceparent', true) <> '' OR current_setting('relay.tracestate', true) <> '' THEN
        v_trace := ${schema}.trace_context(nullif(current_setting('relay.traceparent', true), ''),
            nullif(current_setting('relay.tracestate', true), ''), 'relay.publish (setting relay.traceparent)');
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
    IF supersede_key IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('${schema}.supersede_key'), hashtext(supersede_key));
    END IF;

    INSERT INTO ${schema}.message AS m (event_id, event_type, payload, content_type, ordering_key,
                                        target_endpoint, unrouted, traceparent, tracestate, supersede_key)
    VALUES (coalesce(event_id, ${schema}.new_event_id()), event_type, payload,
            content_type, ordering_key, endpoint, v_endpoints IS NULL, v_trace[1], v_trace[2], supersede_key)
    ON CONFLICT ON CONSTRAINT message_event_id_key DO NOTHING
    RETURNING m.id, m.event_id INTO v_id, v_event_id;

    IF v_id IS NULL THEN
        SELECT m.id INTO v_id FROM ${schema}.message m WHERE m.event_id = event_id;
        RETURN v_id;
    END IF;
    IF v_endpoints IS NOT NULL THEN
        INSERT INTO ${schema}.delivery (message_id, endpoint, created_at, next_attempt_at, ordering_key, supersede_key)
        SELECT v_id, t.name, now(), now(), ordering_key, supersede_key FROM unnest(v_endpoints) AS t(name);
        IF supersede_key IS NOT NULL THEN
            UPDATE ${schema}.delivery d
               SET state = 'superseded', settled_at = now(), last_error = 'superseded by event ' || v_event_id
             WHERE d.endpoint = ANY (v_endpoints) AND d.supersede_key = supersede_key AND d.state = 'pending'
               AND d.message_id < v_id AND d.lease_token IS NULL;
        END IF;
        -- wants_notify, written out (V6).
        IF EXISTS (SELECT 1 FROM ${schema}.instance_endpoint r
                    WHERE r.endpoint = ANY (v_endpoints) AND NOT r.draining) THEN
            PERFORM pg_notify('${schema}_wakeup', '');
        END IF;
    END IF;
    RETURN v_id;
END
$fn$;

-- The old function's EXECUTE grants, on the new one. NULL: default privileges, as the new one has.
DO $do$
DECLARE
    v_acl   aclitem[] := (SELECT a.proacl FROM relay_v8_publish_acl a);
    v_grant record;
BEGIN
    IF v_acl IS NULL THEN
        RETURN;
    END IF;
    REVOKE EXECUTE ON FUNCTION ${schema}.publish(text, jsonb, text, text, text, text, text, text, text) FROM PUBLIC;
    FOR v_grant IN SELECT x.grantee, x.is_grantable FROM aclexplode(v_acl) x WHERE x.privilege_type = 'EXECUTE' LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION ${schema}.publish(text, jsonb, text, text, text, text, text, text, text) TO %s%s',
            CASE WHEN v_grant.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(v_grant.grantee)) END,
            CASE WHEN v_grant.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END
$do$;

-- ---- Batch publish ------------------------------------------------------------------------------------
-- As V6 (one statement reading the array once; see its notes on the plan), with supersede_key per
-- event. Superseding follows array order: an event supersedes the earlier events of the batch with
-- its key (message ids grow in array order) as well as earlier messages published before, per
-- endpoint, exactly as if the events were published one by one. It runs as a second statement, only
-- for a batch that has supersede keys, after the insert (so it sees the batch's rows): one index
-- probe of delivery_supersede_idx per (endpoint, key) of the batch, with nested loops allowed again
-- for it (a hash join would read the whole delivery table). CREATE OR REPLACE keeps the grants.
CREATE OR REPLACE FUNCTION ${schema}.publish_batch(events jsonb)
RETURNS bigint[]
LANGUAGE plpgsql
SET enable_nestloop = off
SET jit = off
SET work_mem = '64MB'
AS $fn$
DECLARE
    v_max       integer;
    v_ids       bigint[];
    v_touched   text[];
    v_setting   text[];
    v_keyed     bigint[];
BEGIN
    IF events IS NULL OR jsonb_typeof(events) <> 'array' THEN
        RAISE EXCEPTION 'relay.publish_batch: events must be a JSON array of objects, was %',
            coalesce(jsonb_typeof(events), 'null') USING ERRCODE = '22023';
    END IF;
    IF jsonb_array_length(events) = 0 THEN
        RETURN '{}';
    END IF;
    SELECT s.value::integer INTO v_max FROM ${schema}.setting s WHERE s.key = 'max_payload_bytes';
    IF current_setting('relay.traceparent', true) <> '' OR current_setting('relay.tracestate', true) <> '' THEN
        v_setting := ${schema}.trace_context(nullif(current_setting('relay.traceparent', true), ''),
            nullif(current_setting('relay.tracestate', true), ''), 'relay.publish_batch (setting relay.traceparent)');
    END IF;
    -- Keys in a fixed order, so two batches sharing keys cannot deadlock; taken before any insert.
    -- Ordering keys first, then supersede keys, as publish takes them.
    IF jsonb_path_exists(events, '$[*] ? (@.ordering_key != null)') THEN
        PERFORM pg_advisory_xact_lock(hashtext('${schema}.ordering_key'), hashtext(k.ordering_key))
           FROM (SELECT DISTINCT e.ev->>'ordering_key' AS ordering_key
                   FROM jsonb_array_elements(events) AS e(ev)
                  WHERE jsonb_typeof(e.ev) = 'object' AND length(e.ev->>'ordering_key') <= 255
                  ORDER BY 1) k;
    END IF;
    IF jsonb_path_exists(events, '$[*] ? (@.supersede_key != null)') THEN
        PERFORM pg_advisory_xact_lock(hashtext('${schema}.supersede_key'), hashtext(k.supersede_key))
           FROM (SELECT DISTINCT e.ev->>'supersede_key' AS supersede_key
                   FROM jsonb_array_elements(events) AS e(ev)
                  WHERE jsonb_typeof(e.ev) = 'object' AND length(e.ev->>'supersede_key') <= 255
                  ORDER BY 1) k;
    END IF;

    WITH ev AS MATERIALIZED (
        -- Checked in array order; the CASE stops the statement at the first bad event.
        SELECT e.i, e.ev->>'event_type' AS event_type, e.ev->'payload' AS payload,
               e.ev->>'ordering_key' AS ordering_key, e.ev->>'supersede_key' AS supersede_key,
               coalesce(e.ev->>'event_id', ${schema}.new_event_id()) AS event_id,
               e.ev->>'endpoint' AS endpoint, coalesce(e.ev->>'content_type', 'application/json') AS content_type,
               CASE WHEN e.ev ? 'traceparent' OR e.ev ? 'tracestate'
                    THEN ${schema}.trace_context(e.ev->>'traceparent', e.ev->>'tracestate',
                                                 'relay.publish_batch: event ' || e.i)
                    ELSE v_setting END AS trace,
               e.ev->>'event_id' IS NOT NULL AS given
          FROM jsonb_array_elements(events) WITH ORDINALITY AS e(ev, i)
          CROSS JOIN LATERAL (
                SELECT coalesce(${schema}.batch_event_problem(e.ev, v_max),
                                CASE WHEN e.ev->>'endpoint' IS NOT NULL
                                      AND NOT EXISTS (SELECT 1 FROM ${schema}.endpoint x
                                                       WHERE x.name = e.ev->>'endpoint' AND NOT x.removed)
                                     THEN 'unknown:' || (e.ev->>'endpoint') END) AS problem) p
         WHERE p.problem IS NULL OR ${schema}.batch_event_failed(e.i, p.problem) IS NULL
    ), kinds AS (
        -- Routing depends only on (event type, target): match each distinct pair against the
        -- endpoints once, not each event (a batch is usually one or a few event types).
        SELECT k.event_type, k.target, array_agg(x.name) AS endpoints
          FROM (SELECT DISTINCT v.event_type, coalesce(v.endpoint, '') AS target FROM ev v) k
          JOIN ${schema}.endpoint x
            ON NOT x.removed AND ${schema}.routes(x.name, x.event_type_patterns, k.event_type, nullif(k.target, ''))
         GROUP BY k.event_type, k.target
    ), firsts AS (
        -- An event id given twice in the batch: its first occurrence is published.
        SELECT min(v.i) AS i FROM ev v WHERE v.given GROUP BY v.event_id
    ), inserted AS (
        INSERT INTO ${schema}.message AS m (event_id, event_type, payload, content_type, ordering_key,
                                            target_endpoint, unrouted, traceparent, tracestate, supersede_key)
        SELECT v.event_id, v.event_type, v.payload, v.content_type, v.ordering_key, v.endpoint,
               NOT EXISTS (SELECT 1 FROM kinds k WHERE k.event_type = v.event_type AND k.target = coalesce(v.endpoint, '')),
               v.trace[1], v.trace[2], v.supersede_key
          FROM ev v
         WHERE NOT v.given OR v.i IN (SELECT f.i FROM firsts f)
         ORDER BY v.i
        ON CONFLICT ON CONSTRAINT message_event_id_key DO NOTHING
        RETURNING m.id, m.event_id, m.event_type, m.target_endpoint, m.ordering_key, m.supersede_key, m.created_at
    ), deliveries AS (
        INSERT INTO ${schema}.delivery (message_id, endpoint, created_at, next_attempt_at, ordering_key, supersede_key)
        SELECT m.id, t.name, m.created_at, m.created_at, m.ordering_key, m.supersede_key
          FROM inserted m
          JOIN kinds k ON k.event_type = m.event_type AND k.target = coalesce(m.target_endpoint, '')
          CROSS JOIN LATERAL unnest(k.endpoints) AS t(name)
        RETURNING endpoint
    )
    SELECT (SELECT array_agg(coalesce(m.id, (SELECT o.id FROM ${schema}.message o WHERE o.event_id = v.event_id))
                             ORDER BY v.i)
              FROM ev v LEFT JOIN inserted m ON m.event_id = v.event_id),
           (SELECT array_agg(DISTINCT d.endpoint) FROM deliveries d),
           (SELECT array_agg(m.id) FROM inserted m WHERE m.supersede_key IS NOT NULL)
      INTO v_ids, v_touched, v_keyed;
    IF v_keyed IS NOT NULL AND v_touched IS NOT NULL THEN
        -- For each (endpoint, key) the batch delivered to, its newest new message supersedes the
        -- earlier pending, unleased ones: the batch's own and those published before. (Events
        -- whose id was published before create nothing and supersede nothing.) Indexes: delivery
        -- (message_id, endpoint) for the batch's rows, then delivery_supersede_idx.
        PERFORM set_config('enable_nestloop', 'on', true);
        UPDATE ${schema}.delivery d
           SET state = 'superseded', settled_at = now(), last_error = 'superseded by event ' || n.event_id
          FROM (SELECT DISTINCT ON (x.endpoint, x.supersede_key) x.endpoint, x.supersede_key, x.message_id, m.event_id
                  FROM ${schema}.delivery x
                  JOIN ${schema}.message m ON m.id = x.message_id
                 WHERE x.message_id = ANY (v_keyed)
                 ORDER BY x.endpoint, x.supersede_key, x.message_id DESC) n
         WHERE d.endpoint = n.endpoint AND d.supersede_key = n.supersede_key AND d.state = 'pending'
           AND d.message_id < n.message_id AND d.lease_token IS NULL;
    END IF;
    IF v_touched IS NOT NULL AND EXISTS (SELECT 1 FROM ${schema}.instance_endpoint r
                                          WHERE r.endpoint = ANY (v_touched) AND NOT r.draining) THEN
        PERFORM pg_notify('${schema}_wakeup', '');
    END IF;
    RETURN v_ids;
END
$fn$;
