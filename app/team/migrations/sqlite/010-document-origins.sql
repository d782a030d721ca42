-- What a team row carries beside the buyer, as a single desk's does: the seller's name (written
-- by the desk that adds it) and the access point and environment it went to (written by the
-- claim that sends it, the team's access point then). Rows from before stay empty.
ALTER TABLE team_documents ADD COLUMN seller_name TEXT;
ALTER TABLE team_documents ADD COLUMN sent_via TEXT;
ALTER TABLE team_documents ADD COLUMN sent_environment TEXT;
