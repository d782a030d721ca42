-- A timeline entry says what happened in a clerk's words (detail); what the access point or the
-- network said exactly (redacted of the API key) is kept beside it, for "Show technical details".
ALTER TABLE document_events ADD COLUMN technical TEXT;
