import { describe, expect, it } from 'vitest';
import { attemptsExhausted, problemFromApError, readsAsWords } from '../../app/queue/problems';

describe("the access point's words in a clerk's message", () => {
  it('keeps a readable sentence of the provider', () => {
    const p = problemFromApError({
      status: 400,
      code: 'DOCUMENT_TYPE_NOT_ACCEPTED',
      message: 'The receiver does not accept credit notes',
      details: null,
    });
    expect(p.message).toBe(
      'The access point refused this invoice (The receiver does not accept credit notes). Fix the file in your accounting system and drop it again.',
    );
  });

  it('leaves out JSON, HTML, bare status lines, errno codes and dumps', () => {
    for (const raw of [
      '{"error":"bad"}',
      '<html><body>502 Bad Gateway</body></html>',
      'HTTP 500',
      'connect ECONNREFUSED 127.0.0.1:443',
      'x'.repeat(201),
      '',
    ]) {
      expect(readsAsWords(raw), raw).toBe(false);
      const p = problemFromApError({ status: 401, code: 'HTTP_401', message: raw, details: null });
      expect(p.message).toBe(
        'The access point did not accept the API key. Check the key in Settings, then retry.',
      );
    }
  });

  it('says how often sending failed without an errno', () => {
    expect(attemptsExhausted(5, 'connect ECONNREFUSED 127.0.0.1:9').message).toBe(
      'Sending failed 5 times. Retry when the access point works again.',
    );
    expect(attemptsExhausted(2, 'The access point is busy').message).toBe(
      'Sending failed 2 times (last: The access point is busy). Retry when the access point works again.',
    );
  });
});
