package dev.relay.loadtest.postgres;

/** One table's tuples and size as Postgres reports them (pg_stat_user_tables, pg_total_relation_size). */
public record TableStat(String table, long liveTuples, long deadTuples, long totalBytes) {}
