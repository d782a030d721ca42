import { useEffect, useState } from 'react';

/** The time now, read again every `ms`: words such as "checked 3 min ago" stay true while shown. */
export function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
