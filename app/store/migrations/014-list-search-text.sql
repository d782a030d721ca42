-- The search box when the text is in many documents (issue 9, the UI at 100,000 documents).
--
-- A search found its documents through the trigram index, then read each one's row to apply
-- LIKE (migration 013). That is quick when few documents contain the text, but a search that
-- matches most of them (the common part of a drop's file names or invoice numbers) read every
-- row, twice (the total, then the page): about 570 ms of the engine's thread at 100,000
-- documents, on every refresh of the table. The index of the default order (newest first) now
-- also holds the three searched columns: LIKE is applied to its narrow entries instead of the
-- wide rows (about 10 ms for 100,000), with the state for a filter, and the first pages of a
-- search are found by walking it. It replaces `documents_by_id_state` (its first two columns),
-- so a state transition still changes one entry here, as before; adding a document, and the
-- invoice number and buyer that validation sets, change it too.
DROP INDEX documents_by_id_state;
CREATE INDEX documents_by_id_search ON documents (id, state, file_name, invoice_number, buyer_name);
