-- Why the reconciler waits instead of acting on a cluster (healing paused by a partition, a node
-- kept because it holds the last in-sync copy), shown in the cluster's status; null when it does not.
ALTER TABLE clusters ADD COLUMN state_reason VARCHAR(1000);
