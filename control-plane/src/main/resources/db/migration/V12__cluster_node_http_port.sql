-- The port of each broker's HTTPS publishing head, as its agent registered it; null for nodes whose
-- agent has none (registered before the head existed).
ALTER TABLE cluster_nodes ADD COLUMN http_port INT;
