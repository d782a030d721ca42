import { describe, expect, it } from 'vitest';
import { parseXml } from '../../app/validation/xml-tree';
import { all, count, first, some } from '../../app/validation/xpath';

// first, some and count walk the tree without building lists; they must agree with `all`.
const CBC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2';
const CAC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2';
function doc(body: string) {
  return parseXml(`<r xmlns:cac="${CAC}" xmlns:cbc="${CBC}">${body}</r>`).root;
}

describe('path helpers', () => {
  for (const many of [1, 40]) {
    it(`agree with all() with ${many} filler children (small and indexed elements)`, () => {
      const filler = '<cbc:X/>'.repeat(many);
      const root = doc(
        `${filler}<cac:A>${filler}<cac:B/><cac:B>${filler}<cbc:C>1</cbc:C></cac:B></cac:A>` +
          `<cac:A><cac:B><cbc:C>2</cbc:C><cbc:C>3</cbc:C></cac:B></cac:A>`,
      );
      const path = ['cac:A', 'cac:B', 'cbc:C'];
      expect(all(root, ...path).map((n) => n.text)).toEqual(['1', '2', '3']);
      expect(count(root, ...path)).toBe(3);
      expect(count(root, 'cac:A', 'cac:B')).toBe(3);
      expect(count(root, 'cac:Z')).toBe(0);
      // XPath: a/b/c matches c under any b, the first in document order.
      expect(first(root, ...path)?.text).toBe('1');
      expect(first(root, 'cac:A', 'cac:B', 'cbc:Missing')).toBeUndefined();
      const seen: string[] = [];
      expect(some(root, path, (n) => (seen.push(n.text), n.text === '2'))).toBe(true);
      expect(seen).toEqual(['1', '2']);
      expect(some(root, path, () => false)).toBe(false);
      expect(some(undefined, path, () => true)).toBe(false);
      expect(some(root, [], (n) => n === root)).toBe(true);
    });
  }
});
