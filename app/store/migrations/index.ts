import documents from './001-documents.sql';
import caches from './002-caches.sql';
import batchKey from './003-batch-key.sql';
import remoteValidation from './004-remote-validation.sql';
import claimOrder from './005-claim-order.sql';
import contentDuplicates from './006-content-duplicates.sql';
import sendOutcomeUnknown from './007-send-outcome-unknown.sql';
import listSortIndexes from './008-list-sort-indexes.sql';
import businessResponses from './009-business-responses.sql';
import accessPointPin from './010-access-point-pin.sql';
import stateCounts from './011-state-counts.sql';
import timelineTechnical from './012-timeline-technical.sql';
import listSearch from './013-list-search.sql';
import listSearchText from './014-list-search-text.sql';
import lighterValidationWrites from './015-lighter-validation-writes.sql';
import searchFieldsSerial from './016-search-fields-serial.sql';
import bodyFiles from './017-body-files.sql';
import searchFirstValues from './018-search-first-values.sql';
import precedingReferences from './019-preceding-references.sql';
import inDoubtWindow from './020-in-doubt-window.sql';
import saidEnvironment from './021-said-environment.sql';
import practiceCounts from './022-practice-counts.sql';
import unreadableByNumber from './023-unreadable-by-number.sql';
import failedToFix from './024-failed-to-fix.sql';
import drops from './025-drops.sql';
import dropsLater from './026-drops-later.sql';
import dropsLeftOut from './027-drops-left-out.sql';

/** A numbered, append-only schema migration. */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

/** Every migration, in order. Append only: never edit or reorder an applied one. */
export const MIGRATIONS: readonly Migration[] = [
  { id: 1, name: '001-documents', sql: documents },
  { id: 2, name: '002-caches', sql: caches },
  { id: 3, name: '003-batch-key', sql: batchKey },
  { id: 4, name: '004-remote-validation', sql: remoteValidation },
  { id: 5, name: '005-claim-order', sql: claimOrder },
  { id: 6, name: '006-content-duplicates', sql: contentDuplicates },
  { id: 7, name: '007-send-outcome-unknown', sql: sendOutcomeUnknown },
  { id: 8, name: '008-list-sort-indexes', sql: listSortIndexes },
  { id: 9, name: '009-business-responses', sql: businessResponses },
  { id: 10, name: '010-access-point-pin', sql: accessPointPin },
  { id: 11, name: '011-state-counts', sql: stateCounts },
  { id: 12, name: '012-timeline-technical', sql: timelineTechnical },
  { id: 13, name: '013-list-search', sql: listSearch },
  { id: 14, name: '014-list-search-text', sql: listSearchText },
  { id: 15, name: '015-lighter-validation-writes', sql: lighterValidationWrites },
  { id: 16, name: '016-search-fields-serial', sql: searchFieldsSerial },
  { id: 17, name: '017-body-files', sql: bodyFiles },
  { id: 18, name: '018-search-first-values', sql: searchFirstValues },
  { id: 19, name: '019-preceding-references', sql: precedingReferences },
  { id: 20, name: '020-in-doubt-window', sql: inDoubtWindow },
  { id: 21, name: '021-said-environment', sql: saidEnvironment },
  { id: 22, name: '022-practice-counts', sql: practiceCounts },
  { id: 23, name: '023-unreadable-by-number', sql: unreadableByNumber },
  { id: 24, name: '024-failed-to-fix', sql: failedToFix },
  { id: 25, name: '025-drops', sql: drops },
  { id: 26, name: '026-drops-later', sql: dropsLater },
  { id: 27, name: '027-drops-left-out', sql: dropsLeftOut },
];
