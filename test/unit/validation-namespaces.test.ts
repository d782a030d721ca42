import { describe, expect, it } from 'vitest';
import { parseXml, XmlParseError } from '../../app/validation/xml-tree';
import type { XNode } from '../../app/validation/xml-tree';

// The parser resolves namespaces itself on its fast path and reads anything unusual again with
// saxes' own namespace processing: both must give the same names, attributes and errors.
const I = '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"';

function names(n: XNode): string[] {
  return [n.q, ...n.children.flatMap(names)];
}

function errorOf(text: string): string {
  try {
    parseXml(text);
  } catch (err) {
    if (err instanceof XmlParseError) return `${err.code} ${err.line}:${err.column} ${err.message}`;
    throw err;
  }
  return 'parsed';
}

describe('namespaces', () => {
  it('resolves prefixes declared on the element itself and restores them on close', () => {
    const doc = parseXml(
      `${I} xmlns:p="urn:p"><p:x p:a="1" a="2"/><p:x xmlns:p="urn:other"><p:y/></p:x><p:x/></Invoice>`,
    );
    expect(names(doc.root)).toEqual([
      'ubl:Invoice',
      '{urn:p}x',
      '{urn:other}x',
      '{urn:other}y',
      '{urn:p}x',
    ]);
    // Namespaced attributes are not kept; plain ones are, by name.
    expect(doc.root.children[0]!.attrs).toEqual({ a: '2' });
    expect(doc.byName.get('{urn:p}x')).toHaveLength(2);
  });

  it('undeclares and trims the default namespace like saxes, and ignores xml:lang', () => {
    const doc = parseXml(
      `${I}><x xmlns=""><y xml:lang="en" b="1"/></x><z xmlns="  urn:q "/></Invoice>`,
    );
    expect(names(doc.root)).toEqual(['ubl:Invoice', 'x', 'y', '{urn:q}z']);
    expect(doc.root.children[0]!.children[0]!.attrs).toEqual({ b: '1' });
  });

  it('gives saxes’ own message and position for namespace errors', () => {
    expect(errorOf(`${I}><a:b/></Invoice>`)).toBe('XML 1:78 unbound namespace prefix: "a".');
    expect(errorOf(`${I} xmlns:a="urn:a" xmlns:b="urn:a"><c a:x="1" b:x="2"/></Invoice>`)).toMatch(
      /^XML 1:\d+ duplicate attribute: \{urn:a\}x\.$/,
    );
    expect(errorOf(`${I}><x xmlns:p=""/></Invoice>`)).toMatch(/invalid attempt to undefine prefix/);
    expect(errorOf(`${I}><a:b:c/></Invoice>`)).toMatch(/malformed name: a:b:c\./);
    expect(errorOf(`<?a:b x?>${I}/>`)).toMatch(/^XML /);
  });
});
