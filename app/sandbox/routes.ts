/**
 * The sandbox's routing table: which path and method is which provider endpoint (with the stats
 * label each one is counted under). The handlers are in core.ts; server.ts puts them together.
 */

/** The provider endpoints the sandbox answers. */
export type EndpointKind =
  'version' | 'send' | 'batch' | 'validate' | 'lookup' | 'transactions' | 'transaction';

/** A request matched to an endpoint. */
export interface Route {
  kind: EndpointKind;
  method: 'GET' | 'POST';
  /** Stats label, e.g. 'POST /api/v1/send'. */
  label: string;
  /** Transaction id for the detail route. */
  param?: string;
}

const EXACT_ROUTES: Record<string, Omit<Route, 'label'>> = {
  '/peppol/version': { kind: 'version', method: 'GET' },
  '/api/v1/version': { kind: 'version', method: 'GET' },
  '/api/v1/send': { kind: 'send', method: 'POST' },
  '/api/v1/send/batch': { kind: 'batch', method: 'POST' },
  '/api/v1/batch': { kind: 'batch', method: 'POST' },
  '/api/v1/validate': { kind: 'validate', method: 'POST' },
  '/api/v1/participants/lookup': { kind: 'lookup', method: 'GET' },
  '/participants/lookup': { kind: 'lookup', method: 'GET' },
  '/api/v1/transactions': { kind: 'transactions', method: 'GET' },
};
const TRANSACTION_PREFIX = '/api/v1/transactions/';

/** The endpoint of a path below the base path, or null when there is none. */
export function matchRoute(path: string): Route | null {
  const exact = EXACT_ROUTES[path];
  if (exact) return { ...exact, label: `${exact.method} ${path}` };
  if (path.startsWith(TRANSACTION_PREFIX) && path.length > TRANSACTION_PREFIX.length) {
    const id = path.slice(TRANSACTION_PREFIX.length);
    if (!id.includes('/')) {
      return {
        kind: 'transaction',
        method: 'GET',
        label: 'GET /api/v1/transactions/{id}',
        param: safeDecode(id),
      };
    }
  }
  return null;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // Malformed %-escapes: keep the raw text; it will simply not match an id.
  }
}

/** A base path as routes compare it: leading slash, no trailing one, `` for the root. */
export function normaliseBasePath(p: string): string {
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}
