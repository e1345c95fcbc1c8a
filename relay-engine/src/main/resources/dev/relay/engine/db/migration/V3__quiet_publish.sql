-- Publishing without NOTIFY while relays are busy.
--
-- Postgres serializes the commits of every transaction that issued a NOTIFY (a cluster-wide lock
-- keeps the notification queue in commit order). So a publish notifies only when a relay would
-- otherwise not look: some relay serving one of the message's endpoints is idle for it. A relay
-- marks an endpoint it is draining (it claims it again by itself as rows keep coming) and clears
-- the mark when a claim finds nothing, then claims once more, so a publish racing the clear is
-- either seen by that claim or sees the mark cleared and notifies. docs/operations.md explains
-- the failure modes.
ALTER TABLE ${schema}.instance_endpoint ADD COLUMN draining boolean NOT NULL DEFAULT false;
-- The fan-out looks up the relays serving the endpoints it just wrote to.
CREATE INDEX instance_endpoint_endpoint_idx ON ${schema}.instance_endpoint (endpoint);

CREATE OR REPLACE FUNCTION ${schema}.fan_out() RETURNS trigger
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_wake boolean;
BEGIN
    WITH inserted AS (
        INSERT INTO ${schema}.delivery (message_id, endpoint, created_at, next_attempt_at, ordering_key)
        SELECT m.id, e.name, m.created_at, m.created_at, m.ordering_key
        FROM new_messages m
        JOIN ${schema}.endpoint e
          ON NOT e.removed
         AND CASE WHEN m.target_endpoint IS NOT NULL THEN e.name = m.target_endpoint
                  ELSE cardinality(e.event_type_patterns) = 0
                       OR m.event_type LIKE ANY (e.event_type_patterns)
             END
        ON CONFLICT (message_id, endpoint) DO NOTHING
        RETURNING message_id, endpoint
    ), unrouted AS (
        UPDATE ${schema}.message u SET unrouted = true
        WHERE u.id IN (SELECT m.id FROM new_messages m
                       EXCEPT SELECT i.message_id FROM inserted i)
    )
    SELECT EXISTS (
        SELECT 1
          FROM (SELECT DISTINCT i.endpoint FROM inserted i) x
          JOIN ${schema}.instance_endpoint r ON r.endpoint = x.endpoint
         WHERE NOT r.draining)
      INTO v_wake;
    IF v_wake THEN
        PERFORM pg_notify('${schema}_wakeup', '');
    END IF;
    RETURN NULL;
END
$fn$;
