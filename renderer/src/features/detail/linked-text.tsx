import { useDetailStore } from '../../stores/detail-store';

/**
 * Text in which "document #12" opens that document's details: a timeline entry, or a problem that
 * names another document (the first of two with the same content or number).
 */
export function LinkedText({ text, testId = 'timeline-link' }: { text: string; testId?: string }) {
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
            data-testid={`${testId}-${m[1]}`}
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
