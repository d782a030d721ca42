import { DETAIL_WIDTH_MAX, DETAIL_WIDTH_MIN, useDetailWidth } from '../../stores/detail-store';

/**
 * The panel's left edge: drag it, or focus it and use the arrow keys, to give the panel more or
 * less room. The table hides its less important columns, never File, Issue date, Amount or Status.
 */
export function ResizeHandle() {
  const width = useDetailWidth((s) => s.width);
  const setWidth = useDetailWidth((s) => s.setWidth);
  const STEP = 24;
  return (
    <div
      className="detail-resize"
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize details"
      aria-valuemin={DETAIL_WIDTH_MIN}
      aria-valuemax={DETAIL_WIDTH_MAX}
      aria-valuenow={width}
      tabIndex={0}
      data-testid="detail-resize"
      onKeyDown={(e) => {
        const delta: Record<string, number> = { ArrowLeft: STEP, ArrowRight: -STEP };
        if (Object.hasOwn(delta, e.key)) {
          e.preventDefault();
          setWidth(width + delta[e.key]!);
        } else if (e.key === 'Home') {
          e.preventDefault();
          setWidth(DETAIL_WIDTH_MIN);
        } else if (e.key === 'End') {
          e.preventDefault();
          setWidth(DETAIL_WIDTH_MAX);
        }
      }}
      onPointerDown={(e) => {
        e.preventDefault();
        const handle = e.currentTarget;
        handle.setPointerCapture(e.pointerId);
        const startX = e.clientX;
        const startWidth = width;
        const move = (ev: PointerEvent) => setWidth(startWidth + (startX - ev.clientX));
        const up = () => {
          handle.removeEventListener('pointermove', move);
          handle.removeEventListener('pointerup', up);
        };
        handle.addEventListener('pointermove', move);
        handle.addEventListener('pointerup', up);
      }}
    />
  );
}
