-- Issue 9 point 5: the table refreshes a search several times a second while statuses stream in,
-- and a search whose text is in every document counted 100,000 index entries each time. Its
-- total is now kept between refreshes (app/store/document-list.ts) for as long as no document's
-- searched columns changed and none was deleted: this serial says when one did. New documents
-- are counted on their own (ids above the last count), a state change does not touch it.
CREATE TABLE search_fields_serial (
  only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
  serial INTEGER NOT NULL
);
INSERT INTO search_fields_serial (only_row, serial) VALUES (1, 0);

CREATE TRIGGER search_fields_serial_update AFTER UPDATE OF file_name, invoice_number, buyer_name
ON documents
WHEN OLD.file_name IS NOT NEW.file_name OR OLD.invoice_number IS NOT NEW.invoice_number
  OR OLD.buyer_name IS NOT NEW.buyer_name BEGIN
  UPDATE search_fields_serial SET serial = serial + 1 WHERE only_row = 1;
END;

CREATE TRIGGER search_fields_serial_delete AFTER DELETE ON documents BEGIN
  UPDATE search_fields_serial SET serial = serial + 1 WHERE only_row = 1;
END;
