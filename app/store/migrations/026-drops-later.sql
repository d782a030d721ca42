-- A drop stopped part way whose files not taken were dropped again (walk 25 A4: after the clerk
-- dropped the same 3,000 files again, as the app advises, and all were added and sent, every page
-- still said "2,800 files … not added", and two stopped drops of the same files counted them
-- twice). When a drop begins, the drops stopped before it give it their files not taken that it
-- names: they are its files now, and said so. How many a drop gave is counted here (its `names`
-- keep their order: the first `handed` were taken, then the `later` ones given, then the rest).
ALTER TABLE drops ADD COLUMN later INTEGER NOT NULL DEFAULT 0;
