-- How many update domains a cluster's nodes are spread over (fixed at creation). Clusters made
-- before this column keep the five they were given.
ALTER TABLE clusters ADD COLUMN update_domains INT NOT NULL DEFAULT 5;
