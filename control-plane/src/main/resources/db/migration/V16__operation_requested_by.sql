-- Operations an operator takes at once (accepting a partition's data loss) record who chose it and
-- what happened.
alter table operations add column requested_by text;
alter table operations add column detail text;
