-- The drops of files being added from the app, until every file of one has been taken (walk 23
-- B2, walk 23b N6): a drop of 3,000 files stopped after 1,000 (Peppol Desk stopped, or the page
-- closed) left 2,000 files that nothing but that page knew of; a new page, as the app itself
-- advises after a restart, said nothing of them. The page names a drop's files here before it
-- hands the first of them over and says how far it got with each hand-over; a drop it never said
-- was finished is shown by any page later, with the files not taken, until the clerk forgets it.
CREATE TABLE drops (
  id INTEGER PRIMARY KEY,
  -- When the page began the drop (ms since the epoch).
  started_at INTEGER NOT NULL,
  -- When it last said how far it got (ms since the epoch).
  updated_at INTEGER NOT NULL,
  -- Which run of the engine began it: one begun by an earlier run was stopped for sure.
  engine_run TEXT NOT NULL,
  -- The drop's file names as a JSON array, in the order they are handed over.
  names TEXT NOT NULL,
  -- How many of them have been taken (added, recognised as known, or refused with a reason).
  handed INTEGER NOT NULL DEFAULT 0
);
