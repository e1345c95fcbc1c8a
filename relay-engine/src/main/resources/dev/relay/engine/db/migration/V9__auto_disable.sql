-- Failing endpoints disabled automatically. The endpoint row carries its current failure streak,
-- kept by the settle statement in the same round trip as the outcomes (no extra statement):
--
--   failing_since    database time of the first failed attempt of the streak (null: not failing)
--   failed_attempts  failed attempts in the streak
--   warned_at        when the streak crossed half the auto-disable window (the warning)
--
-- A failed attempt is one that spent an attempt (refund 0) and was not delivered; rows handed back
-- or deferred unsent and rows settled undeliverable (never sent) say nothing about the receiver.
-- Any delivered attempt ends the streak. When the streak is at least delivery.auto-disable.after
-- old and has at least delivery.auto-disable.min-failed-attempts, the settle sets
-- disabled_reason: the claim skips the endpoint, its deliveries stay pending (kept, not claimed),
-- and resuming it (admin API, CLI) clears the reason and the streak.
--
-- Hot path: the settle writes the row only on a failure or when a success ends a streak, so a
-- healthy endpoint's row is never rewritten by its deliveries.
ALTER TABLE ${schema}.endpoint
    ADD COLUMN failing_since   timestamptz,
    ADD COLUMN failed_attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN warned_at       timestamptz;

-- The failing-endpoints gauge counts these without reading every endpoint (runtime endpoints may
-- number 100,000; only failing or disabled ones are in it). Its columns change only when a streak
-- starts or ends or an endpoint is disabled or resumed, so the settle's other endpoint writes
-- (failed_attempts, Retry-After holds) stay HOT updates.
CREATE INDEX endpoint_failing_idx ON ${schema}.endpoint (name)
    WHERE failing_since IS NOT NULL OR disabled_reason IS NOT NULL;
