-- Why a node's broker last ended or could not start, as its agent reports it in its heartbeat (the
-- exit code and one line naming the cause, e.g. an address in use or a data directory it cannot
-- write); null while it never did. (Version 15.1: leaves 15 to a concurrent change.)
ALTER TABLE cluster_nodes ADD COLUMN last_exit_code INT;
ALTER TABLE cluster_nodes ADD COLUMN last_error VARCHAR(500);
