import { SaxesParser } from 'saxes';
import type { SaxesTag, SaxesTagNS } from 'saxes';
import { ScanFallback, scanXml } from './xml-scan';

/** UBL namespace URIs. */
export const NS = {
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  ext: 'urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2',
  invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  creditNote: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
} as const;

const PREFIX_BY_NS = new Map<string, string>([
  [NS.cbc, 'cbc:'],
  [NS.cac, 'cac:'],
  [NS.ext, 'ext:'],
  [NS.invoice, 'ubl:'],
  [NS.creditNote, 'ubl:'],
]);

/**
 * One element of a parsed document. Kept deliberately small: rules only need the name,
 * attributes, direct text and children.
 */
export interface XNode {
  /** Canonical qualified name: `cbc:ID`, `cac:Party`, `ubl:Invoice`, else `{uri}local`. */
  q: string;
  /** Local name without prefix. */
  local: string;
  /** Namespace URI ('' when none). */
  ns: string;
  /** Attributes without namespace, by local name; null when the element has none. */
  attrs: Record<string, string> | null;
  /** Concatenated direct text content (not trimmed). */
  text: string;
  children: XNode[];
  parent: XNode | null;
  /** Position among all elements in document order (for stable sorting). */
  order: number;
}

/** A parsed document with an index from canonical name to elements in document order. */
export interface XDoc {
  root: XNode;
  /** Every element by its canonical name, in document order. Built once while parsing. */
  byName: Map<string, XNode[]>;
  /** Every element in document order. */
  elements: XNode[];
}

/**
 * Deepest element nesting accepted. UBL invoices nest about 8 levels (a signature extension about
 * 15); the cap stops pathological files (10,000 nested lines) while parsing, before the tree, the
 * rules and the location strings grow with the depth.
 */
export const MAX_DEPTH = 100;

/**
 * Most elements accepted in one document. An invoice with 10,000 lines has about 300,000;
 * the cap bounds the tree's memory for files made of millions of tiny elements.
 */
export const MAX_ELEMENTS = 500_000;

/**
 * Most attributes on one element. UBL elements carry at most a handful (a root may declare a
 * dozen namespaces); one element with 800,000 attributes took seconds and 450 MB to read.
 */
export const MAX_ATTRIBUTES_PER_ELEMENT = 64;

/** Why `parseXml` refused a document. */
export type XmlParseErrorCode =
  'XML' | 'DTD_FORBIDDEN' | 'TOO_DEEP' | 'TOO_MANY_ELEMENTS' | 'TOO_MANY_ATTRIBUTES';

/** Raised by `parseXml` for malformed XML, a DOCTYPE, or a document beyond the structural limits. */
export class XmlParseError extends Error {
  /** Stable code used by intake to choose the user-facing message. */
  readonly code: XmlParseErrorCode;
  /** 1-based line where parsing stopped (0 when unknown). */
  readonly line: number;
  /** 1-based column where parsing stopped (0 when unknown). */
  readonly column: number;
  constructor(code: XmlParseErrorCode, message: string, line: number, column: number) {
    super(message);
    this.name = 'XmlParseError';
    this.code = code;
    this.line = line;
    this.column = column;
  }
}

const EMPTY: XNode[] = [];

/**
 * The engine's own copy of `s` (used as a property key, V8 keeps one copy of it), so comparing it
 * with the names written in the rules is a pointer comparison.
 */
function internalized(s: string): string {
  const o: Record<string, true> = { [s]: true };
  return Object.keys(o)[0]!;
}

/**
 * Parse XML text into a compact tree. Any DOCTYPE is refused before its content is used, so
 * external entities and entity expansion attacks never run (saxes itself never fetches
 * anything). Throws `XmlParseError`.
 */
export function parseXml(text: string): XDoc {
  try {
    // Fastest: our own reader for the plain XML invoices are (see xml-scan.ts); anything else,
    // or any doubt, is read by saxes below, from the start.
    return parseWith(text, false, 'scan');
  } catch (err) {
    if (err instanceof XmlParseError) throw err; // a structural limit, met where saxes meets it
    if (!(err instanceof ScanFallback) && !(err instanceof NeedsExactParse)) throw err;
  }
  try {
    // Fast path: saxes without its own namespace processing (several objects per element) and
    // without position tracking (a fifth of the time); names are resolved here.
    return parseWith(text, false, 'plain');
  } catch (err) {
    // Structural limits are met at the same element either way (see NeedsExactParse).
    if (err instanceof XmlParseError && err.code !== 'XML') throw err;
    if (!(err instanceof XmlParseError) && !(err instanceof NeedsExactParse)) throw err;
  }
  // The exact path for damaged or unusual files: saxes' namespace checks and its own message.
  try {
    return parseWith(text, false, 'ns');
  } catch (err) {
    if (err instanceof XmlParseError && err.code === 'XML') return parseWith(text, true, 'ns');
    throw err;
  }
}

/**
 * Thrown by the fast path on anything its namespace handling does not cover exactly as saxes
 * does (an unbound or reserved prefix, a malformed name, two prefixed attributes on one element, a
 * processing instruction): the file is read again with saxes' namespace processing, so every
 * verdict and message stays what saxes alone gives. Real invoices never take that path.
 */
class NeedsExactParse extends Error {}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** A resolved element name, shared by every element that carries it. */
interface Name {
  q: string;
  local: string;
  ns: string;
}

/** How a document is read: our reader, saxes without namespaces, saxes with them. */
type Reader = 'scan' | 'plain' | 'ns';

function parseWith(text: string, position: boolean, reader: Reader): XDoc {
  const saxesNamespaces = reader === 'ns';
  const parser = new SaxesParser({ xmlns: saxesNamespaces, position });
  const byName = new Map<string, XNode[]>();
  const stack: XNode[] = [];
  let root: XNode | null = null;
  let order = 0;
  // Sized once (an element takes at least 4 characters, `<a/>`): pushed one by one, the array of a
  // 10 MB file was copied into ever larger blocks while the collector had to follow each.
  const elements: XNode[] = new Array<XNode>(Math.min(MAX_ELEMENTS, (text.length >> 2) + 1));
  // Attributes of the open tag being read (saxes reports each before the tag), and in all.
  let attributes = 0;
  let allAttributes = 0;
  // Element names seen so far, by namespace then local name.
  const names = new Map<string, Map<string, Name>>();
  /** One string per distinct name (see below). */
  const nameOf = (ns: string, localName: string): Name => {
    let locals = names.get(ns);
    if (locals === undefined) names.set(ns, (locals = new Map()));
    let name = locals.get(localName);
    if (name === undefined) {
      const prefix = PREFIX_BY_NS.get(ns);
      const local = internalized(localName);
      const q = internalized(
        prefix !== undefined ? prefix + local : ns === '' ? local : `{${ns}}${local}`,
      );
      locals.set(local, (name = { q, local, ns }));
    }
    return name;
  };
  // Fast path only: prefix bindings in scope (replaced, never changed, when an element declares
  // some) with the names resolved under them by raw tag name, and the scopes to restore on close.
  // The scope an element's declarations open is kept for the siblings that declare the same (a
  // file of 300,000 elements each declaring its namespace built two maps for every one).
  interface Scope {
    bindings: Map<string, string>;
    byRawName: Map<string, Name>;
    /** Scopes opened from this one, by the declarations that opened them. */
    opened: Map<string, Scope> | null;
  }
  let scope: Scope = { bindings: new Map(), byRawName: new Map(), opened: null };
  let bindings = scope.bindings;
  let byRawName = scope.byRawName;
  const scopes: { depth: number; scope: Scope }[] = [];
  let keptScopes = 0;

  /** Resolve a raw tag name as saxes would, declarations of the tag itself included. */
  const resolveTag = (raw: string, attrs: Record<string, string>, tagAttributes: number): Name => {
    if (tagAttributes > 0) {
      let declared: string | null = null;
      for (const key in attrs) {
        const isDefault = key === 'xmlns';
        if (!isDefault && !key.startsWith('xmlns:')) continue;
        const prefix = isDefault ? '' : key.slice(6);
        const uri = attrs[key]!.trim();
        if (
          (!isDefault && (prefix === '' || uri === '' || prefix.includes(':'))) ||
          prefix === 'xml' ||
          prefix === 'xmlns' ||
          uri === XML_NS ||
          uri === XMLNS_NS
        )
          throw new NeedsExactParse();
        declared = `${declared ?? ''}${prefix}\u0000${uri}\u0001`;
      }
      if (declared !== null) {
        let next = scope.opened?.get(declared);
        if (next === undefined) {
          const b = new Map(bindings);
          for (const key in attrs) {
            if (key === 'xmlns') b.set('', attrs[key]!.trim());
            else if (key.startsWith('xmlns:')) b.set(key.slice(6), attrs[key]!.trim());
          }
          next = { bindings: b, byRawName: new Map(), opened: null };
          // Bounded: a file declaring ever new namespaces keeps only the first few scopes.
          if (keptScopes < 256) {
            keptScopes++;
            (scope.opened ??= new Map()).set(declared, next);
          }
        }
        scopes.push({ depth: stack.length, scope });
        scope = next;
        bindings = next.bindings;
        byRawName = next.byRawName;
      }
    }
    let name = byRawName.get(raw);
    if (name === undefined) {
      const colon = raw.indexOf(':');
      let ns: string;
      let local = raw;
      if (colon < 0) ns = bindings.get('') ?? '';
      else {
        const prefix = raw.slice(0, colon);
        local = raw.slice(colon + 1);
        const bound = bindings.get(prefix);
        if (prefix === '' || local === '' || local.includes(':') || bound === undefined)
          throw new NeedsExactParse();
        if (prefix === 'xml' || prefix === 'xmlns') throw new NeedsExactParse();
        ns = bound;
      }
      name = nameOf(ns, local);
      byRawName.set(raw, name);
    }
    return name;
  };

  parser.on('doctype', () => {
    throw new XmlParseError(
      'DTD_FORBIDDEN',
      'document type declaration',
      parser.line,
      parser.column,
    );
  });
  const onAttribute = () => {
    if (++attributes > MAX_ATTRIBUTES_PER_ELEMENT || ++allAttributes > MAX_ELEMENTS) {
      throw new XmlParseError(
        'TOO_MANY_ATTRIBUTES',
        'too many attributes',
        parser.line,
        parser.column,
      );
    }
  };
  parser.on('processinginstruction', () => {
    // Targets follow other rules with namespaces; invoices carry none.
    if (!saxesNamespaces) throw new NeedsExactParse();
  });
  const onOpenTag = (tag: SaxesTag) => {
    const tagAttributes = attributes;
    attributes = 0;
    let name: Name;
    let attrs: Record<string, string> | null = null;
    if (!saxesNamespaces) {
      const plain = tag.attributes as Record<string, string>;
      name = resolveTag(tag.name, plain, tagAttributes);
      if (tagAttributes > 0) {
        let prefixed = 0;
        for (const key in plain) {
          if (key === 'xmlns' || key.startsWith('xmlns:')) continue;
          const colon = key.indexOf(':');
          if (colon >= 0) {
            // Namespaced attributes are not read; saxes alone checks them (duplicates by URI).
            const prefix = key.slice(0, colon);
            const local = key.slice(colon + 1);
            if (
              ++prefixed > 1 ||
              prefix === '' ||
              local === '' ||
              local.includes(':') ||
              prefix === 'xmlns' ||
              (prefix !== 'xml' && !bindings.has(prefix))
            )
              throw new NeedsExactParse();
            continue;
          }
          if (attrs === null) attrs = {};
          attrs[key] = plain[key]!;
        }
      }
    } else {
      const ns = (tag as SaxesTagNS).uri;
      // One string per distinct name, shared by every element carrying it: far less memory than
      // a new string per element, and rules compare names by identity instead of by characters.
      name = nameOf(ns, (tag as SaxesTagNS).local);
      // Enumerating saxes' attribute object costs a lot even when empty; most elements have none.
      if (tagAttributes > 0) {
        const nsAttributes = (tag as SaxesTagNS).attributes;
        for (const key in nsAttributes) {
          const a = nsAttributes[key]!;
          if (a.prefix === 'xmlns' || a.name === 'xmlns' || a.uri !== '') continue;
          if (attrs === null) attrs = {};
          attrs[a.local] = a.value;
        }
      }
    }
    const q = name.q;
    if (stack.length >= MAX_DEPTH) {
      throw new XmlParseError('TOO_DEEP', 'nested too deeply', parser.line, parser.column);
    }
    if (order >= MAX_ELEMENTS) {
      throw new XmlParseError('TOO_MANY_ELEMENTS', 'too many elements', parser.line, parser.column);
    }
    const parent = stack.length > 0 ? stack[stack.length - 1]! : null;
    const node: XNode = {
      q,
      local: name.local,
      ns: name.ns,
      attrs,
      text: '',
      children: EMPTY,
      parent,
      order: order++,
    };
    if (parent !== null) {
      if (parent.children === EMPTY) parent.children = [node];
      else parent.children.push(node);
    } else {
      root = node;
    }
    const list = byName.get(q);
    if (list === undefined) byName.set(q, [node]);
    else list.push(node);
    elements[order - 1] = node;
    stack.push(node);
  };
  const onText = (t: string) => {
    if (stack.length > 0) stack[stack.length - 1]!.text += t;
  };
  const onCloseTag = () => {
    const closed = stack.pop()!;
    // An exact copy: a grown array keeps room for 17 children, and it is carried with the tree.
    if (closed.children.length > 1) closed.children = closed.children.slice();
    if (scopes.length > 0 && scopes[scopes.length - 1]!.depth === stack.length) {
      scope = scopes.pop()!.scope;
      bindings = scope.bindings;
      byRawName = scope.byRawName;
    }
  };

  if (reader === 'scan') {
    // One tag object, refilled for each element (the handler reads it at once).
    const tag = { name: '', attributes: {} as Record<string, string> };
    scanXml(text, {
      attribute: onAttribute,
      open: (name, attrs) => {
        tag.name = name;
        tag.attributes = attrs;
        onOpenTag(tag as unknown as SaxesTag);
      },
      text: onText,
      close: onCloseTag,
    });
    if (root === null) throw new ScanFallback('no root element');
    elements.length = order;
    return { root, byName, elements };
  }
  parser.on('attribute', onAttribute);
  parser.on('opentag', onOpenTag);
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', onCloseTag);
  try {
    parser.write(text).close();
  } catch (err) {
    if (err instanceof XmlParseError || err instanceof NeedsExactParse) throw err;
    const raw = err instanceof Error ? err.message : String(err);
    // saxes prefixes messages with "line:column: ".
    const m = /^(?:[^:]*:)?(\d+):(\d+): (.*)$/s.exec(raw);
    if (m) throw new XmlParseError('XML', m[3]!, Number(m[1]), Number(m[2]));
    throw new XmlParseError('XML', raw, parser.line, parser.column);
  }
  if (root === null) throw new XmlParseError('XML', 'no root element', parser.line, parser.column);
  elements.length = order;
  return { root, byName, elements };
}
