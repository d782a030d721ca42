import type { DocumentState } from '../../../../app/contract';
import { STATUS_TONE, STATUS_WORDS, TONE_ICON } from '../../lib/status-words';

/** Icon plus plain words; the raw state is kept in `data-state` for tests and styling. */
export function StatusLabel({ id, state }: { id?: number; state: DocumentState }) {
  const tone = STATUS_TONE[state];
  return (
    <span
      className={`status status-${tone}`}
      data-testid={id === undefined ? undefined : `status-${id}`}
      data-state={state}
    >
      <span className="status-icon" aria-hidden="true">
        {TONE_ICON[tone]}
      </span>
      {STATUS_WORDS[state]}
    </span>
  );
}
