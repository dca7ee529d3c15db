-- The largest event or batch a cluster's HTTPS publishing heads take (fixed at creation). Clusters
-- made before this column get Event Hubs Basic's 256 KB.
ALTER TABLE clusters ADD COLUMN http_max_message_bytes INT NOT NULL DEFAULT 262144;
