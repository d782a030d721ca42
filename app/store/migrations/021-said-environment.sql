-- The environment the access point named in its version answer when it accepted the document
-- ('test' or 'production'; null: it named none, or the built-in Sandbox). One provider address
-- serves Test and Production and the API key chooses, so `environment` (migration 010) is the
-- key's: where the transaction is known and asked about. But a key's prefix is only a
-- convention: a Production-looking key on an access point that says it is its test environment
-- sends nowhere real, and the screen must say where the invoice really went (walk 12). Shown
-- instead of `environment` once set; `environment` still routes. Adding a column is O(1).
ALTER TABLE documents ADD COLUMN said_environment TEXT;
