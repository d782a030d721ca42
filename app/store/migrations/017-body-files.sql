-- Issue 9 point 4: a document's bytes are appended to a file in the data folder's `bodies/`
-- (app/store/body-files.ts) instead of `document_bodies`, which wrote each body twice (into the
-- write-ahead log, then into the database at the checkpoint). The row says where: the file's
-- number and the body's first byte in it; `size` is its length. Both NULL: the body is in
-- `document_bodies` (documents added before this migration, and in-memory databases).
ALTER TABLE documents ADD COLUMN body_file INTEGER;
ALTER TABLE documents ADD COLUMN body_offset INTEGER;
