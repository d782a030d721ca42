-- Files an app drop could not add (empty, too large, unreadable, refused by the engine): named
-- only by that page's message and its drop zone, which lives in the tab (walk 25 B1: a new tab
-- had no trace of them, and `list` has none: they are not documents). A drop that ends with
-- files not added keeps its row, with the words its page gave them (JSON: title, lines, count),
-- for any page to show until the clerk chooses Forget; its file names are no longer kept.
ALTER TABLE drops ADD COLUMN left_out TEXT;
