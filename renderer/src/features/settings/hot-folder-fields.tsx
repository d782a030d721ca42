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
      <Toggle
        name="hotFolderSubfolders"
        testId="settings-hot-folder-subfolders"
        checked={draft.hotFolderSubfolders}
        onChange={(on) => update({ hotFolderSubfolders: on })}
        label="Also take files in its subfolders"
      />
      <Hint name="hotFolderSubfolders">
        Off: files in its subfolders stay where they are and are not sent.
      </Hint>
      <Toggle
        name="hotFolderMove"
        testId="settings-hot-folder-move"
        checked={draft.hotFolderMove}
        onChange={(on) => update({ hotFolderMove: on })}
        label="Tidy that folder once invoices are done"
      />
      <Hint name="hotFolderMove">
        Sent files move into its &quot;sent&quot; subfolder, files that failed into
        &quot;failed&quot; with a .reason.txt file saying why: what is left still waits or waits for
        your decision.
      </Hint>
    </>
  );
}

/** A checkbox of the form with its label, described by its setting's hint. */
function Toggle(p: {
  name: string;
  testId: string;
  checked: boolean;
  onChange(on: boolean): void;
  label: string;
}) {
  return (
    <label className="form-row form-row-inline">
      <input
        type="checkbox"
        data-testid={p.testId}
        checked={p.checked}
        aria-describedby={hintId(p.name)}
        onChange={(e) => p.onChange(e.currentTarget.checked)}
      />
      <span>{p.label}</span>
    </label>
  );
}
