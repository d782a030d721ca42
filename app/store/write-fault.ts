/** A write to the data folder that failed for a reason the user can fix, in plain words. */
export interface WriteFault {
  /** Stable code: DISK_FULL, READ_ONLY or DISK_ERROR. */
  code: 'DISK_FULL' | 'READ_ONLY' | 'DISK_ERROR';
  /** What happened and what to do, for the header and for error answers. */
  message: string;
}

const DISK_FULL: WriteFault = {
  code: 'DISK_FULL',
  message: 'The disk is full: free space, then Resume.',
};
const READ_ONLY: WriteFault = {
  code: 'READ_ONLY',
  message:
    'The data folder cannot be written (the disk is read-only or access was taken away): make it writable, then Resume.',
};
const DISK_ERROR: WriteFault = {
  code: 'DISK_ERROR',
  message:
    'The disk reported a read or write error: check that it is connected and healthy, then Resume.',
};

/**
 * Recognise a failed write (SQLite or file system) and say it in words a clerk can act on;
 * null for any other error. Nothing was lost when this happens: the transaction was rolled back.
 */
export function writeFault(err: unknown): WriteFault | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return DISK_FULL;
  if (
    code.startsWith('SQLITE_READONLY') ||
    code === 'EROFS' ||
    code === 'EACCES' ||
    code === 'EPERM'
  )
    return READ_ONLY;
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') {
    // SQLite reports a full disk met mid-write as an I/O error on some systems.
    return /full|no space/i.test(String((err as Error).message)) ? DISK_FULL : DISK_ERROR;
  }
  return null;
}
