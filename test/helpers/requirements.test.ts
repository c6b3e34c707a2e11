import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { PLACEOS_ID_RE, PUBLISHED_SECTIONS, REQUIREMENTS, requirement, RFC_ID_RE, validateRequirement } from '../../helpers/requirements';

const CONTRACT = resolve(__dirname, '..', '..', '..', 'shared', 'contract');
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
      'RFC6749-5.1', 'RFC6749-5.2', 'RFC9700-2.1.1', 'RFC9700-4.8.2', 'RFC7636-4.6', 'RFC6750-3.1', 'RFC7009-2.1', 'RFC7662-2.2',
      'PLACEOS-DOC-PASSWORD-GRANT', 'PLACEOS-DOC-PASSWORD-SCOPES', 'PLACEOS-DOC-TRANSPORT-HEADER', 'PLACEOS-DOC-TRANSPORT-PARAM',
      'PLACEOS-DOC-TRANSPORT-COOKIE', 'PLACEOS-DOC-INSPECT', 'PLACEOS-DOC-AUTHCODE-FLOW', 'PLACEOS-IMPL-INSPECT-SHAPE',
      'PLACEOS-IMPL-CREDENTIAL-PRECEDENCE', 'PLACEOS-IMPL-LOGOUT', 'PLACEOS-IMPL-AUTHORITY', 'PLACEOS-IMPL-DEFAULT-KEY',
    ]) expect(() => requirement(id)).not.toThrow();
  });

  const checklist = resolve(CONTRACT, 'security-checklist.md');
  (existsSync(checklist) ? test : test.skip)('every RFC section cited in security-checklist.md §2.1–2.6 has a requirement', () => {
    const text = readFileSync(checklist, 'utf8');
    const body = text.slice(text.indexOf('### 2.1'), text.indexOf('## What the OIDF'));
    const missing: string[] = [];
    for (const line of body.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| check') && !l.startsWith('| ---'))) {
      const cell = line.split('|')[2] ?? '';
      // "6749 §5.1, §7.1; 6819 §4.6.6" / "6749 App. A.12, A.17" / "RFC 9110 §11.1"
      for (const group of cell.split(';')) {
        const num = /(?:RFC )?(\d{4})/.exec(group)?.[1];
        if (!num) continue;
        for (const m of group.matchAll(/(?:§|App\. |, )([A-Z]?\.?\d+(?:\.\d+)*|[A-Z]\.\d+)/g)) {
          const section = m[1]!;
          if (/^\d{4}$/.test(section)) continue;
          if (!REQUIREMENTS[`RFC${num}-${section}`]) missing.push(`RFC${num}-${section}`);
        }
      }
    }
    expect([...new Set(missing)]).toEqual([]);
  });

  const contract = resolve(CONTRACT, 'placeos-auth.md');
  (existsSync(contract) ? test : test.skip)('PLACEOS-IMPL sections exist in placeos-auth.md', () => {
    const headings = readFileSync(contract, 'utf8').split('\n').filter((l) => /^#{2,4} /.test(l));
    for (const r of rows.filter((x) => x.id.startsWith('PLACEOS-IMPL-'))) {
      const re = new RegExp(`^#{2,4} ${r.section.replace(/\./g, '\\.')}\\.?\\s`);
      expect({ id: r.id, found: headings.some((h) => re.test(h)) }).toEqual({ id: r.id, found: true });
    }
  });

  const doc = resolve(CONTRACT, 'placeos-bearer-tokens-doc.txt');
  (existsSync(doc) ? test : test.skip)('PLACEOS-DOC sections are headings of the PlaceOS Bearer Tokens page', () => {
    const lines = readFileSync(doc, 'utf8').split('\n').map((l) => l.trim());
    for (const r of rows.filter((x) => x.id.startsWith('PLACEOS-DOC-'))) {
      expect({ id: r.id, found: lines.includes(r.section) }).toEqual({ id: r.id, found: true });
    }
  });
});
