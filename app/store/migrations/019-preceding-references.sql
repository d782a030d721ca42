-- A credit note (or a corrected invoice) names the invoice it is for: BT-25, preceding invoice
-- reference (cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID). When one goes out, the
-- invoice it names from the same seller, rejected or queried by the buyer, is dealt with: it
-- leaves Needs attention as if marked handled, and both timelines say so (app/queue/lifecycle,
-- app/store/preceding-refs.ts). This table keeps the references of checked documents, written
-- with the check (few documents have any), and found both ways by an index: from the document
-- that went out (its id), and from the invoice the buyer answered (seller and number). Documents
-- checked before this migration have none kept: their summaries did not carry BT-25.
CREATE TABLE preceding_refs (
  document_id INTEGER NOT NULL REFERENCES documents (id),
  seller_id TEXT NOT NULL,
  ref TEXT NOT NULL,
  PRIMARY KEY (document_id, ref)
) WITHOUT ROWID;
CREATE INDEX preceding_refs_by_ref ON preceding_refs (seller_id, ref);
