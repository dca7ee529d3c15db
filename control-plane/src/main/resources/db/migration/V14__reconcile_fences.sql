-- Fencing tokens of reconcile passes. A pass takes the sequence's next value while it holds its
-- cluster's advisory lock, so a pass that gets the lock later always has a larger token. Before a
-- pass changes machines or brokers it records its token here (only ever upwards) and reads it
-- back: a smaller token than the one recorded means a newer pass has acted on the cluster since,
-- and the older pass stops. Rows outlive their clusters on purpose, so that a stale pass cannot
-- act on a cluster deleted under it.
CREATE SEQUENCE reconcile_fence_seq;

CREATE TABLE reconcile_fences (
    cluster_id UUID PRIMARY KEY,
    token BIGINT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
