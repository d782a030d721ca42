-- Each document is pinned to the access point (the built-in 'sandbox', or the provider's URL) and
-- environment it was queued for: changing the provider never moves it (issue 11). Documents from
-- before this migration are pinned to the access point in use when the engine next starts.
-- The seller's name is kept beside the buyer's for the table and the CSV.
ALTER TABLE documents ADD COLUMN access_point TEXT;
ALTER TABLE documents ADD COLUMN environment TEXT;
ALTER TABLE documents ADD COLUMN seller_name TEXT;
UPDATE documents SET seller_name = json_extract(summary_json, '$.sellerName')
WHERE summary_json IS NOT NULL AND json_valid(summary_json);
CREATE INDEX documents_unpinned ON documents (id) WHERE access_point IS NULL;
