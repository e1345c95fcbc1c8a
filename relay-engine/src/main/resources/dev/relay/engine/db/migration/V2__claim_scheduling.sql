-- Claim scheduling: relays register the endpoints they serve and claim only those; the claim
-- walks only endpoints that have pending rows; messages with an ordering key are delivered per
-- (endpoint, key) in commit order; a receiver's Retry-After holds its endpoint for every relay.

-- ---- Relay instances and what each serves -------------------------------------------------------
-- Each running relay has a row (random id per process) and one row per endpoint in its
-- configuration. A relay claims only rows of endpoints it registered (invariant 8). Routing, the
-- endpoint table's event types and removed flag, is derived from the live registrations: the
-- union of what live relays serve. Relays with different configurations during a rolling deploy
-- therefore agree on one routing, and a relay starting with an older file cannot undo a newer one.
CREATE TABLE ${schema}.instance (
    id           uuid PRIMARY KEY,
    name         text NOT NULL,                        -- host and pid, for operators
    started_at   timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now()
);

-- Endpoint names and ordering keys compare bytewise ("C"): the claim walks them in index order
-- and the relay keeps its place in that walk, so both sides must agree on the order.
ALTER TABLE ${schema}.endpoint ALTER COLUMN name TYPE text COLLATE "C";
ALTER TABLE ${schema}.delivery ALTER COLUMN endpoint TYPE text COLLATE "C";

CREATE TABLE ${schema}.instance_endpoint (
    instance_id         uuid NOT NULL REFERENCES ${schema}.instance (id) ON DELETE CASCADE,
    endpoint            text COLLATE "C" NOT NULL,
    event_types         text[] NOT NULL,
    event_type_patterns text[] NOT NULL,
    on_dead_letter      text NOT NULL CHECK (on_dead_letter IN ('skip', 'block')),
    PRIMARY KEY (instance_id, endpoint)
);

ALTER TABLE ${schema}.endpoint
    -- A receiver asked for a pause (429/503 with Retry-After): no relay claims before this.
    ADD COLUMN not_before     timestamptz,
    -- What a dead letter does to later messages with the same ordering key: skip lets them
    -- continue, block holds the key until an operator replays or discards the dead letter.
    ADD COLUMN on_dead_letter text NOT NULL DEFAULT 'skip' CHECK (on_dead_letter IN ('skip', 'block'));

-- ---- Ordered delivery ---------------------------------------------------------------------------
-- A delivery carries its message's ordering key, so the claim finds the head of each key (the
-- pending delivery with the smallest message id) without touching the message table.
ALTER TABLE ${schema}.delivery ADD COLUMN ordering_key text COLLATE "C";
UPDATE ${schema}.delivery d SET ordering_key = m.ordering_key
  FROM ${schema}.message m
 WHERE m.id = d.message_id AND m.ordering_key IS NOT NULL;

-- Unkeyed pending rows, per endpoint in due order: the claim's main index.
DROP INDEX ${schema}.delivery_due_idx;
CREATE INDEX delivery_due_idx ON ${schema}.delivery (endpoint, next_attempt_at)
    WHERE state = 'pending' AND ordering_key IS NULL;
-- Keyed pending rows, per endpoint and key in publish order: the first entry of a key is its head.
-- Rows waiting behind a head are never scanned, however many there are.
CREATE INDEX delivery_key_idx ON ${schema}.delivery (endpoint, ordering_key, message_id)
    WHERE state = 'pending' AND ordering_key IS NOT NULL;
-- Dead keyed rows, for endpoints whose dead letters block their key.
CREATE INDEX delivery_dead_key_idx ON ${schema}.delivery (endpoint, ordering_key, message_id)
    WHERE state = 'dead' AND ordering_key IS NOT NULL;

-- ---- Registration --------------------------------------------------------------------------------

-- Routing from the live registrations. An endpoint no live relay serves is marked removed (no new
-- deliveries; its pending ones are held, never dropped); it comes back when a relay serves it.
-- With no live relay at all (the last one stopped, e.g. for a restart) routing stays as it was:
-- messages published until a relay starts again are routed as before, not lost to "removed".
-- Event types are the union over the live relays that serve an endpoint (an empty list, "every
-- type", absorbs the rest); on_dead_letter is block if any of them says block, the safe side.
-- Writes only rows that change.
CREATE FUNCTION ${schema}.reconcile_endpoints(p_expiry interval) RETURNS void
LANGUAGE sql
AS $fn$
    WITH live AS (
        SELECT r.*
          FROM ${schema}.instance_endpoint r
          JOIN ${schema}.instance i ON i.id = r.instance_id
         WHERE i.heartbeat_at > now() - p_expiry
    ), served AS (
        SELECT l.endpoint,
               bool_or(cardinality(l.event_types) = 0) AS every_type,
               bool_or(l.on_dead_letter = 'block') AS block
          FROM live l
         GROUP BY l.endpoint
    ), types AS (
        SELECT l.endpoint, array_agg(DISTINCT t ORDER BY t) AS event_types
          FROM live l CROSS JOIN LATERAL unnest(l.event_types) t
         GROUP BY l.endpoint
    ), patterns AS (
        SELECT l.endpoint, array_agg(DISTINCT p ORDER BY p) AS patterns
          FROM live l CROSS JOIN LATERAL unnest(l.event_type_patterns) p
         GROUP BY l.endpoint
    ), wanted AS (
        SELECT e.name,
               s.endpoint IS NULL AS removed,
               CASE WHEN s.endpoint IS NULL THEN e.event_types
                    WHEN s.every_type THEN '{}'::text[] ELSE t.event_types END AS event_types,
               CASE WHEN s.endpoint IS NULL THEN e.event_type_patterns
                    WHEN s.every_type THEN '{}'::text[] ELSE p.patterns END AS patterns,
               CASE WHEN s.endpoint IS NULL THEN e.on_dead_letter
                    WHEN s.block THEN 'block' ELSE 'skip' END AS on_dead_letter
          FROM ${schema}.endpoint e
          LEFT JOIN served s ON s.endpoint = e.name
          LEFT JOIN types t ON t.endpoint = e.name
          LEFT JOIN patterns p ON p.endpoint = e.name
    )
    UPDATE ${schema}.endpoint e
       SET removed = w.removed,
           event_types = w.event_types,
           event_type_patterns = w.patterns,
           on_dead_letter = w.on_dead_letter,
           updated_at = now()
      FROM wanted w
     WHERE e.name = w.name
       AND (e.removed, e.event_types, e.event_type_patterns, e.on_dead_letter)
           IS DISTINCT FROM (w.removed, w.event_types, w.patterns, w.on_dead_letter)
       AND EXISTS (SELECT 1 FROM live);
$fn$;

-- Registers a relay instance with the endpoints it serves ([{name, event_types, patterns,
-- on_dead_letter, paused}]), creates endpoints nobody had yet, and reconciles routing. Serialized
-- between relays by an advisory lock, so concurrent starts see each other.
CREATE FUNCTION ${schema}.register_instance(p_id uuid, p_name text, p_endpoints jsonb, p_expiry interval)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('${schema}.registry'));
    INSERT INTO ${schema}.instance (id, name) VALUES (p_id, p_name)
    ON CONFLICT (id) DO UPDATE SET heartbeat_at = now();
    DELETE FROM ${schema}.instance_endpoint WHERE instance_id = p_id;
    INSERT INTO ${schema}.instance_endpoint (instance_id, endpoint, event_types, event_type_patterns, on_dead_letter)
    SELECT p_id, r.name, r.event_types, r.patterns, r.on_dead_letter
      FROM jsonb_to_recordset(p_endpoints)
           AS r(name text, event_types text[], patterns text[], on_dead_letter text, paused boolean);
    INSERT INTO ${schema}.endpoint AS e (name, event_types, event_type_patterns, on_dead_letter, paused, paused_reason)
    SELECT r.name, r.event_types, r.patterns, r.on_dead_letter, r.paused,
           CASE WHEN r.paused THEN 'paused in configuration' END
      FROM jsonb_to_recordset(p_endpoints)
           AS r(name text, event_types text[], patterns text[], on_dead_letter text, paused boolean)
    ON CONFLICT (name) DO UPDATE
       SET paused = true, paused_reason = 'paused in configuration', updated_at = now()
     WHERE excluded.paused AND NOT e.paused;
    PERFORM ${schema}.reconcile_endpoints(p_expiry);
END
$fn$;

-- Keeps an instance alive; false when its row is gone (it was expired while cut off), so the
-- relay registers again. Expired instances are deleted here and routing reconciled without them.
CREATE FUNCTION ${schema}.heartbeat(p_id uuid, p_expiry interval) RETURNS boolean
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_found boolean;
BEGIN
    UPDATE ${schema}.instance SET heartbeat_at = now() WHERE id = p_id;
    v_found := FOUND;
    IF EXISTS (SELECT 1 FROM ${schema}.instance WHERE heartbeat_at <= now() - p_expiry) THEN
        PERFORM pg_advisory_xact_lock(hashtext('${schema}.registry'));
        DELETE FROM ${schema}.instance WHERE heartbeat_at <= now() - p_expiry;
        PERFORM ${schema}.reconcile_endpoints(p_expiry);
    END IF;
    RETURN v_found;
END
$fn$;

-- A relay stopping cleanly: its registrations end now, not at expiry.
CREATE FUNCTION ${schema}.deregister_instance(p_id uuid, p_expiry interval) RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('${schema}.registry'));
    DELETE FROM ${schema}.instance WHERE id = p_id;
    PERFORM ${schema}.reconcile_endpoints(p_expiry);
END
$fn$;
