-- Every attempt on record: one row per attempt that counted, written by the settle statement
-- itself (a data-modifying CTE over the rows the fenced update changed), so recording costs no
-- extra round trip. Append-only: rows are never updated; retention deletes them together with
-- their delivery, in the same statement.
--
-- Which attempts: those whose settle landed under the claim's lease (the delivery row still
-- carried the token) and were sent or at least spent an attempt (refund 0: delivered, retry,
-- dead). Rows handed back unattempted and deferred rows (breaker open, bulkhead full) spent no
-- attempt and leave no row. A stale settle (the lease had passed to another claim) records
-- nothing: its delivery row was not changed either, and the attempt is counted in
-- relay_settles_stale_total instead.
--
-- No foreign key to delivery, on purpose: the check would probe the delivery's primary key and
-- take a FOR KEY SHARE lock on a row the same statement just updated (a multixact on the hot
-- path, the kind of cost V5 measured on publish), and ON DELETE CASCADE would delete row by row
-- from a trigger. Orphans cannot arise without it: a row is inserted only for a delivery the same
-- statement updated (so it exists and is locked), and the only statement that deletes deliveries
-- (retention) deletes their attempts in the same statement.
CREATE TABLE ${schema}.attempt (
    delivery_id      bigint NOT NULL,
    -- Insertion order, unique: a delivery's attempt numbers restart at 1 when an operator replays
    -- it (a fresh attempt budget), so (delivery_id, attempt) alone is not a key. No CACHE: with
    -- one cached range per session, two relays would hand out ids out of time order.
    id               bigint GENERATED ALWAYS AS IDENTITY,
    attempt          integer NOT NULL,          -- delivery.attempts when it was claimed (1, 2, ...)
    endpoint         text COLLATE "C" NOT NULL, -- denormalised for "an endpoint's recent failures"
    instance_id      uuid NOT NULL,             -- relay.instance.id of the relay that made it (the
                                                -- instance row goes when the relay stops; this stays)
    started_at       timestamptz NOT NULL,      -- the sending relay's clock
    duration_ms      integer NOT NULL,
    status           integer,                   -- HTTP status; null when no response arrived
    error            text,                      -- null when delivered; else the reason, as last_error
    response_excerpt text,                      -- first bytes of the response body (<= 1 KiB), never
                                                -- the request body or anything the relay sent
    PRIMARY KEY (delivery_id, id)
);

-- "An endpoint's recent failures", newest first. Partial: only failed attempts are indexed, so a
-- healthy endpoint's attempts (the hot path under load) maintain the primary key alone.
CREATE INDEX attempt_failure_idx ON ${schema}.attempt (endpoint, id) WHERE error IS NOT NULL;

-- Append-only and purged in batches like delivery: vacuum it as early.
ALTER TABLE ${schema}.attempt SET (
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02,
    autovacuum_vacuum_cost_delay = 0
);
