-- A timeline row's technical line (for example "Receiver lookup unavailable (HTTP 503)"), beside
-- its words for the clerk in `detail`, as the single desk's document_events keep it.
ALTER TABLE team_events ADD COLUMN technical TEXT;
