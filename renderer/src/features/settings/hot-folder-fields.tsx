import { Hint, hintId } from './setting-hint';

/** The hot folder's fields of the Settings form (the dialog's draft and its update). */
export function HotFolderFields({
  draft,
  update,
}: {
  draft: { hotFolder: string; hotFolderMove: boolean; hotFolderSubfolders: boolean };
  update(
    patch: Partial<{ hotFolder: string; hotFolderMove: boolean; hotFolderSubfolders: boolean }>,
  ): void;
}) {
  return (
    <>
      <label className="form-row">
        <span>Folder to send from automatically</span>
        <input
          type="text"
          placeholder="Not used"
          aria-describedby={hintId('hotFolder')}
          value={draft.hotFolder}
          onChange={(e) => update({ hotFolder: e.currentTarget.value })}
        />
      </label>
      <Hint name="hotFolder">
        Invoice files (.xml) saved into this folder are added and sent without dropping them here.
      </Hint>
      <label className="form-row form-row-inline">
        <input
          type="checkbox"
          data-testid="settings-hot-folder-subfolders"
          checked={draft.hotFolderSubfolders}
          aria-describedby={hintId('hotFolderSubfolders')}
          onChange={(e) => update({ hotFolderSubfolders: e.currentTarget.checked })}
        />
        <span>Also take files in its subfolders</span>
      </label>
      <Hint name="hotFolderSubfolders">
        Off: files in its subfolders stay where they are and are not sent.
      </Hint>
      <label className="form-row form-row-inline">
        <input
          type="checkbox"
          data-testid="settings-hot-folder-move"
          checked={draft.hotFolderMove}
          aria-describedby={hintId('hotFolderMove')}
          onChange={(e) => update({ hotFolderMove: e.currentTarget.checked })}
        />
        <span>Tidy that folder once invoices are done</span>
      </label>
      <Hint name="hotFolderMove">
        Sent files move into its &quot;sent&quot; subfolder, files that failed into
        &quot;failed&quot; with a .reason.txt file saying why: what is left still waits or waits for
        your decision.
      </Hint>
    </>
  );
}
