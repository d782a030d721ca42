-- Issue 9 point 5: while invoices stream in, validation gives each document its invoice number and
-- buyer for the first time, and every such change moved migration 016's serial: a search's total
-- kept between refreshes of the table was then counted again in full on nearly every refresh.
-- A first value (nothing before) can only add a match, never take one away; so it now moves a
-- counter of its own (`first_values`), and the serial moves only for what may take a match away:
-- a renamed file, an invoice number or buyer that had a value and changed, a deleted document.
-- The list (app/store/document-list.ts) keeps a total across first values only when every
-- document matched it: then no first value can add anything.
ALTER TABLE search_fields_serial ADD COLUMN first_values INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER search_fields_serial_update;

CREATE TRIGGER search_fields_serial_update AFTER UPDATE OF file_name, invoice_number, buyer_name
ON documents
WHEN OLD.file_name IS NOT NEW.file_name
  OR (OLD.invoice_number IS NOT NULL AND OLD.invoice_number IS NOT NEW.invoice_number)
  OR (OLD.buyer_name IS NOT NULL AND OLD.buyer_name IS NOT NEW.buyer_name) BEGIN
  UPDATE search_fields_serial SET serial = serial + 1 WHERE only_row = 1;
END;

CREATE TRIGGER search_fields_first_values AFTER UPDATE OF invoice_number, buyer_name ON documents
WHEN (OLD.invoice_number IS NULL AND NEW.invoice_number IS NOT NULL)
  OR (OLD.buyer_name IS NULL AND NEW.buyer_name IS NOT NULL) BEGIN
  UPDATE search_fields_serial SET first_values = first_values + 1 WHERE only_row = 1;
END;
