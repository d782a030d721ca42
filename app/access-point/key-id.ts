import { createHash } from 'node:crypto';

/**
 * Which API key a client sends with, as a short one-way fingerprint (never the key itself): a
 * document in doubt is sent again only under the key of its attempt (queue/lifecycle/sending.ts).
 */
export function keyIdOf(apiKey: string | null): string {
  return createHash('sha256')
    .update(apiKey ?? '')
    .digest('hex')
    .slice(0, 16);
}
