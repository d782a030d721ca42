/**
 * The timeline's words for an invoice whose delivery a team stops following when it moves to
 * another access point: check it with the one that accepted it, or, when that was the built-in
 * Sandbox, nothing to check (walk 17: "Check its delivery … with the built-in Sandbox", a Sandbox
 * that lived inside another desk's process).
 */
import { describe, expect, it } from 'vitest';
import { deliveryNotFollowedWords } from '../../app/team/access-point';

describe('delivery no longer followed after the team moved', () => {
  it('says to check with the access point that accepted it', () => {
    expect(deliveryNotFollowedWords('ap.example.com (Production)', 'other.example (Test)')).toBe(
      "Delivery and the buyer's answer are no longer followed here: the team now sends through other.example (Test), and ap.example.com (Production), which accepted this invoice, is not asked any more. Check its delivery and the buyer's answer (a rejection too) with ap.example.com (Production).",
    );
  });

  it('says the key changed when the address is the same (walk 17b)', () => {
    expect(deliveryNotFollowedWords('ap.example.com (Test)', 'ap.example.com (Test)')).toBe(
      "Delivery and the buyer's answer are no longer followed here: the team now sends through ap.example.com (Test) with another API key, and the key this invoice was sent with is not used any more. Check its delivery and the buyer's answer (a rejection too) with the provider of that key.",
    );
  });

  it('says there is nothing to check when it was practice', () => {
    expect(deliveryNotFollowedWords('the built-in Sandbox', 'other.example (Test)')).toBe(
      'Delivery is no longer followed here: the team now sends through other.example (Test). This invoice was sent in practice to the built-in Sandbox, where nothing reaches Peppol or a buyer: there is nothing to check.',
    );
  });
});
