-- Relay's schema. ${schema} is the configured schema (default "relay").
-- Every function body names its tables with the schema, because functions run with the
-- caller's search_path (the application's), not ours.

-- Endpoints mirror the configuration file; the relay upserts them at start.
-- An endpoint removed from the configuration is marked removed, never deleted, so its
-- deliveries are held (not claimed) and come back if it returns.
CREATE TABLE ${schema}.endpoint (
    name                text PRIMARY KEY
                        CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    event_types         text[] NOT NULL DEFAULT '{}',   -- as configured, e.g. {invoice.*}
    event_type_patterns text[] NOT NULL DEFAULT '{}',   -- the same as LIKE patterns; empty = all
    removed             boolean NOT NULL DEFAULT false,
    paused              boolean NOT NULL DEFAULT false,
    paused_reason       text,
    disabled_reason     text,                           -- e.g. the receiver answered 410 Gone
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- What the application published. event_id is the webhook-id: stable, unique, idempotent.
CREATE TABLE ${schema}.message (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        text NOT NULL UNIQUE,
    event_type      text NOT NULL,
    payload         jsonb NOT NULL,
    content_type    text NOT NULL DEFAULT 'application/json',
    ordering_key    text,
    target_endpoint text,
    unrouted        boolean NOT NULL DEFAULT false,   -- no endpoint subscribed at commit time
    created_at      timestamptz NOT NULL DEFAULT now()
);
-- Retention and "replay messages since" scan by age.
CREATE INDEX message_created_at_idx ON ${schema}.message (created_at);
-- The unrouted-messages gauge counts these without touching the rest.
CREATE INDEX message_unrouted_idx ON ${schema}.message (created_at) WHERE unrouted;

-- One row per (message, endpoint). While claimed, next_attempt_at is the lease expiry and
-- lease_token fences the settle.
CREATE TABLE ${schema}.delivery (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id      bigint NOT NULL REFERENCES ${schema}.message (id),
    endpoint        text NOT NULL REFERENCES ${schema}.endpoint (name),
    state           text NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'delivered', 'dead', 'discarded')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_token     uuid,
    last_attempt_at timestamptz,
    last_status     integer,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),  -- publish time, for end-to-end latency
    settled_at      timestamptz,                         -- when it became terminal
    UNIQUE (message_id, endpoint)
) WITH (fillfactor = 90);

-- The claim: per endpoint, due pending rows in due order. Partial, so it holds only the
-- backlog, not history.
CREATE INDEX delivery_due_idx ON ${schema}.delivery (endpoint, next_attempt_at) WHERE state = 'pending';
-- Retention purges terminal rows by age.
CREATE INDEX delivery_settled_idx ON ${schema}.delivery (settled_at) WHERE state <> 'pending';
-- Dead-letter listing and counting by endpoint and age.
CREATE INDEX delivery_dead_idx ON ${schema}.delivery (endpoint, settled_at) WHERE state = 'dead';

-- A queue table churns: vacuum it early and often.
ALTER TABLE ${schema}.delivery SET (
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02,
    autovacuum_vacuum_cost_delay = 0
);

-- Settings the relay pushes at start so the SQL side can enforce them.
CREATE TABLE ${schema}.setting (
    key   text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO ${schema}.setting (key, value) VALUES ('max_payload_bytes', '262144');

-- Publish a message inside the caller's transaction. Returns the message id; publishing an
-- event_id again returns the first message's id and creates nothing new.
CREATE FUNCTION ${schema}.publish(
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
    v_event_id text := coalesce(event_id, 'msg_' || replace(gen_random_uuid()::text, '-', ''));
    v_size     integer;
    v_max      integer;
    v_id       bigint;
BEGIN
    IF event_type IS NULL OR btrim(event_type) = '' THEN
        RAISE EXCEPTION 'relay.publish: event_type must not be null or empty'
            USING ERRCODE = '22004', HINT = 'Pass a type such as ''invoice.paid''.';
    END IF;
    IF length(event_type) > 255 OR event_type ~ '[[:cntrl:]]' THEN
        RAISE EXCEPTION 'relay.publish: event_type must be at most 255 printable characters'
            USING ERRCODE = '22023';
    END IF;
    IF payload IS NULL THEN
        RAISE EXCEPTION 'relay.publish: payload must not be null (use ''null''::jsonb for a JSON null)'
            USING ERRCODE = '22004';
    END IF;
    IF v_event_id !~ '^[!-~]{1,255}$' THEN
        RAISE EXCEPTION 'relay.publish: event_id must be 1-255 printable ASCII characters without spaces, was %',
            left(v_event_id, 80)
            USING ERRCODE = '22023';
    END IF;
    IF content_type IS NULL OR content_type ~ '[[:cntrl:]]' THEN
        RAISE EXCEPTION 'relay.publish: content_type must be a media type such as application/json'
            USING ERRCODE = '22023';
    END IF;
    SELECT s.value::integer INTO v_max FROM ${schema}.setting s WHERE s.key = 'max_payload_bytes';
    v_size := octet_length(payload::text);
    IF v_size > v_max THEN
        RAISE EXCEPTION 'relay.publish: payload is % bytes, over the limit of % bytes', v_size, v_max
            USING ERRCODE = '54000', HINT = 'Raise delivery.max-payload-bytes, or send a reference instead of the data.';
    END IF;
    IF endpoint IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM ${schema}.endpoint e WHERE e.name = endpoint AND NOT e.removed) THEN
        RAISE EXCEPTION 'relay.publish: unknown endpoint "%"', endpoint
            USING ERRCODE = '23503',
                  HINT = 'Known endpoints: ' || coalesce((SELECT string_agg(e.name, ', ' ORDER BY e.name)
                                                  FROM ${schema}.endpoint e WHERE NOT e.removed), 'none');
    END IF;

    INSERT INTO ${schema}.message AS m (event_id, event_type, payload, content_type, ordering_key, target_endpoint)
    VALUES (v_event_id, event_type, payload, content_type, ordering_key, endpoint)
    ON CONFLICT ON CONSTRAINT message_event_id_key DO NOTHING
    RETURNING m.id INTO v_id;

    IF v_id IS NULL THEN
        SELECT m.id INTO v_id FROM ${schema}.message m WHERE m.event_id = v_event_id;
    END IF;
    RETURN v_id;
END
$fn$;

-- Fan-out: once per inserting statement, create the deliveries for every subscribed endpoint,
-- mark messages nobody subscribes to, and wake the relays with a single NOTIFY.
CREATE FUNCTION ${schema}.fan_out() RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
    WITH inserted AS (
        INSERT INTO ${schema}.delivery (message_id, endpoint, created_at, next_attempt_at)
        SELECT m.id, e.name, m.created_at, m.created_at
        FROM new_messages m
        JOIN ${schema}.endpoint e
          ON NOT e.removed
         AND CASE WHEN m.target_endpoint IS NOT NULL THEN e.name = m.target_endpoint
                  ELSE cardinality(e.event_type_patterns) = 0
                       OR m.event_type LIKE ANY (e.event_type_patterns)
             END
        ON CONFLICT (message_id, endpoint) DO NOTHING
        RETURNING message_id
    )
    UPDATE ${schema}.message u SET unrouted = true
    WHERE u.id IN (SELECT m.id FROM new_messages m
                   EXCEPT SELECT i.message_id FROM inserted i);
    PERFORM pg_notify('${schema}_wakeup', '');
    RETURN NULL;
END
$fn$;

CREATE TRIGGER message_fan_out
    AFTER INSERT ON ${schema}.message
    REFERENCING NEW TABLE AS new_messages
    FOR EACH STATEMENT EXECUTE FUNCTION ${schema}.fan_out();
