-- How clients authenticate to a cluster's brokers (None: anyone, for local development; SAS:
-- Event Hubs' shared access signatures), and, for SAS clusters, the sealed secret brokers and the
-- control plane log in to each other with. Fixed at creation.
ALTER TABLE clusters ADD COLUMN authentication VARCHAR(8) NOT NULL DEFAULT 'None';
ALTER TABLE clusters ADD COLUMN broker_secret VARCHAR(255);
