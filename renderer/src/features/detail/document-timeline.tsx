import type { DocumentDetail } from '../../../../app/contract';
import { formatTime } from '../../lib/format';
import { STATUS_WORDS } from '../../lib/status-words';
import { useDetailStore } from '../../stores/detail-store';
import { DetailSection } from './detail-fields';

/** Text in which "document #12" opens that document's details. */
function LinkedText({ text }: { text: string }) {
  const show = useDetailStore((st) => st.show);
  const parts = text.split(/(document #\d+)/);
  return (
    <>
      {parts.map((part, i) => {
        const m = /^document #(\d+)$/.exec(part);
        return m ? (
          <button
            key={i}
            type="button"
            className="link-button"
            data-testid={`timeline-link-${m[1]}`}
            onClick={() => show(Number(m[1]))}
          >
            {part}
          </button>
        ) : (
          part
        );
      })}
    </>
  );
}

/** Every state the document went through, oldest first. */
export function DocumentTimeline({ d }: { d: DocumentDetail }) {
  return (
    <DetailSection title="Timeline">
      <ol className="timeline" data-testid="timeline">
        {d.timeline.map((t, i) => (
          <li key={i}>
            <time dateTime={new Date(t.at).toISOString()}>{formatTime(t.at)}</time>
            <span>{STATUS_WORDS[t.to]}</span>
            {t.detail && (
              <span className="muted">
                {' '}
                — <LinkedText text={t.detail} />
              </span>
            )}
          </li>
        ))}
      </ol>
    </DetailSection>
  );
}
