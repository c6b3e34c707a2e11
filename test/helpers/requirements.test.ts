import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PLACEOS_ID_RE, PUBLISHED_SECTIONS, REQUIREMENTS, requirement, RFC_ID_RE, validateRequirement } from '../../helpers/requirements';

const CONTRACT = resolve(__dirname, '..', '..', 'docs', 'contract.md');
const rows = Object.values(REQUIREMENTS);

describe('requirement catalogue', () => {
  test.each(rows.map((r) => [r.id, r]))('%s is well-formed and its section exists', (_id, r) => {
    expect(validateRequirement(r)).toEqual([]);
    expect(REQUIREMENTS[r.id]).toBe(r);
    if (RFC_ID_RE.test(r.id)) expect(r.url).toMatch(/^https:\/\/www\.rfc-editor\.org\/rfc\/rfc\d{4}#(section|appendix)-/);
  });

  test('keys equal ids; lookups throw on unknown IDs', () => {
    for (const [k, r] of Object.entries(REQUIREMENTS)) expect(k).toBe(r.id);
    expect(requirement('RFC6749-5.1').title).toMatch(/no-store/);
    expect(() => requirement('RFC6749-99.9')).toThrow(/unknown requirement ID "RFC6749-99.9"/);
    expect(() => requirement('rfc6749-5.1')).toThrow(/unknown requirement ID/);
  });

  test.each<[string, boolean]>([
    ['RFC6749-5.1', true],
    ['RFC6749-A.12', true],
    ['RFC9700-4.14.2', true],
    ['RFC7636-B', true],
    ['RFC6749-§5.1', false],
    ['RFC 6749-5.1', false],
    ['RFC6749', false],
    ['RFC6749-5.', false],
  ])('RFC ID form %s → %p', (id, ok) => {
    expect(RFC_ID_RE.test(id)).toBe(ok);
  });

  test.each<[string, boolean]>([
    ['PLACEOS-DOC-PASSWORD-GRANT', true],
    ['PLACEOS-IMPL-DEFAULT-KEY', true],
    ['PLACEOS-DOC-', false],
    ['PLACEOS-OTHER-X', false],
    ['placeos-doc-inspect', false],
  ])('PlaceOS ID form %s → %p', (id, ok) => {
    expect(PLACEOS_ID_RE.test(id)).toBe(ok);
  });

  test('RFC 9700 IDs use the published numbering, not the draft numbering OAuch keeps', () => {
    expect(REQUIREMENTS['RFC9700-4.11.2']?.title).toMatch(/open redirector/i);
    expect(REQUIREMENTS['RFC9700-4.14.2']?.title).toMatch(/refresh/i);
    expect(REQUIREMENTS['RFC9700-4.16']?.title).toMatch(/clickjacking/i);
    expect(PUBLISHED_SECTIONS['RFC 9700']?.['4.10.2']).toBeUndefined();
    expect(PUBLISHED_SECTIONS['RFC 9700']?.['4.13.2']).toBeUndefined();
    expect(PUBLISHED_SECTIONS['RFC 9700']?.['4.15']).toBeUndefined();
  });

  test('the IDs the briefs and the checklist name are all present', () => {
    for (const id of [
      'RFC6749-5.1',
      'RFC6749-5.2',
      'RFC9700-2.1.1',
      'RFC9700-4.8.2',
      'RFC7636-4.6',
      'RFC6750-3.1',
      'RFC7009-2.1',
      'RFC7662-2.2',
      'PLACEOS-DOC-PASSWORD-GRANT',
      'PLACEOS-DOC-PASSWORD-SCOPES',
      'PLACEOS-DOC-TRANSPORT-HEADER',
      'PLACEOS-DOC-TRANSPORT-PARAM',
      'PLACEOS-DOC-TRANSPORT-COOKIE',
      'PLACEOS-DOC-INSPECT',
      'PLACEOS-DOC-AUTHCODE-FLOW',
      'PLACEOS-IMPL-INSPECT-SHAPE',
      'PLACEOS-IMPL-CREDENTIAL-PRECEDENCE',
      'PLACEOS-IMPL-LOGOUT',
      'PLACEOS-IMPL-AUTHORITY',
      'PLACEOS-IMPL-DEFAULT-KEY',
    ])
      expect(() => requirement(id)).not.toThrow();
  });

  // The suite's own contract document (docs/contract.md) is what PlaceOS IDs cite: every anchor a
  // requirement names exists, under a heading that matches its section.
  const contractText = readFileSync(CONTRACT, 'utf8');
  const lines = contractText.split('\n');
  /** The heading that follows `<a id="anchor"></a>`, or undefined when the anchor does not exist. */
  const headingAt = (anchor: string): string | undefined => {
    const i = lines.indexOf(`<a id="${anchor}"></a>`);
    return i < 0 ? undefined : lines.slice(i + 1).find((l) => /^#{2,4} /.test(l));
  };

  test.each(rows.filter((x) => x.id.startsWith('PLACEOS-IMPL-')).map((r) => [r.id, r]))('%s cites its section of docs/contract.md', (_id, r) => {
    expect(r.ref).toBe(`docs/contract.md#sec-${r.section}`);
    expect(headingAt(r.ref!.split('#')[1]!)).toMatch(new RegExp(`^#{2,4} ${r.section.replace(/\./g, '\\.')}\\.?\\s`));
  });

  test.each(rows.filter((x) => x.id.startsWith('PLACEOS-DOC-')).map((r) => [r.id, r]))(
    '%s cites a heading of the Bearer Tokens page in docs/contract.md §11',
    (_id, r) => {
      expect(r.ref).toMatch(/^docs\/contract\.md#doc-/);
      expect(headingAt(r.ref!.split('#')[1]!)).toBe(`### ${r.section}`);
    },
  );

  test('every RFC section docs/contract.md cites is a published section the catalogue knows, and every RFC is listed in §0', () => {
    const cited = [...contractText.matchAll(/RFC (\d{4}) §([A-Z]?[\d.]*\d)/g)].map((m) => [`RFC ${m[1]}`, m[2]!] as const);
    expect(cited.length).toBeGreaterThan(3);
    expect(cited.filter(([doc, section]) => !PUBLISHED_SECTIONS[doc]?.[section])).toEqual([]);
    for (const doc of Object.keys(PUBLISHED_SECTIONS)) expect(contractText).toContain(`[${doc}](https://www.rfc-editor.org/rfc/rfc${doc.slice(4)})`);
  });
});
