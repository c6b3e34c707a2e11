// The tables jest selected (`*.cases.ts` / `.js` files), loaded as the run's suites. A shipped
// table is loaded from the program's compiled build when the runner runs from it (bin/build.js);
// a user's TypeScript table through tsx, the loader the package already falls back to; a
// JavaScript table as it is. In watch mode every table is read again from its source, so an
// edited table is what the next run checks.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContractCase } from '../../helpers/case';
import type { Level, Severity } from '../../helpers/model';
import { TAGS } from '../../helpers/model';
import { PACKAGE_ROOT } from '../../helpers/package-root';

export interface Table {
  area: string;
  cases: readonly ContractCase[];
  /** The table's file, as jest named it. */
  file: string;
  /** Where each row's `id:` is written in the file (1-based), for jest's `location`. */
  rows: ReadonlyMap<string, { line: number; column: number }>;
}

/** The folder the running program was loaded from: the package root, or its build (build/<digest>/). */
const PROGRAM_ROOT = path.resolve(__dirname, '..', '..');
const SHIPPED = path.join(PACKAGE_ROOT, 'specs') + path.sep;

let tsxRegistered = false;
function registerTsx(): void {
  if (tsxRegistered) return;
  (require('tsx/cjs/api') as { register(): () => void }).register();
  tsxRegistered = true;
}

function requireTable(file: string, fresh: boolean): unknown {
  if (!fresh && PROGRAM_ROOT !== PACKAGE_ROOT && file.startsWith(SHIPPED) && file.endsWith('.ts'))
    return require(path.join(PROGRAM_ROOT, path.relative(PACKAGE_ROOT, file)).replace(/\.ts$/, '.js'));
  if (file.endsWith('.ts') && !require.extensions['.ts']) registerTsx();
  if (fresh) delete require.cache[file];
  return require(file);
}

const LEVELS: readonly Level[] = ['MUST', 'SHOULD', 'MAY'];
const SEVERITIES: readonly Severity[] = ['blocker', 'high', 'medium', 'low', 'info'];
const SLUG = /^[a-z0-9][a-z0-9-]*$/;
const ID = /^[a-z0-9][a-z0-9.-]*$/;

/** What is wrong with a row, or undefined: the run relies on these fields. */
function rowProblem(c: unknown, area: string): string | undefined {
  if (!c || typeof c !== 'object') return 'a row that is not an object';
  const r = c as Partial<Record<keyof ContractCase, unknown>>;
  const id = typeof r.id === 'string' ? r.id : '';
  if (!ID.test(id) || !id.startsWith(`${area}.`)) return `row id ${JSON.stringify(r.id)}: expected '${area}.<name>' in lower-case kebab-case`;
  if (typeof r.title !== 'string' || !r.title) return `${id}: expected a title`;
  if (!Array.isArray(r.requirements) || !r.requirements.length || !r.requirements.every((x) => typeof x === 'string'))
    return `${id}: expected requirements, a non-empty list of requirement IDs`;
  if (!(LEVELS as readonly unknown[]).includes(r.level)) return `${id}: expected level ${LEVELS.join(', ')}`;
  if (!(SEVERITIES as readonly unknown[]).includes(r.severity)) return `${id}: expected severity ${SEVERITIES.join(', ')}`;
  if (!Array.isArray(r.tags) || !r.tags.every((t) => (TAGS as readonly unknown[]).includes(t))) return `${id}: expected tags among ${TAGS.join(', ')}`;
  if (typeof r.run !== 'function') return `${id}: expected run(t), an async function`;
  return undefined;
}

/** Loads one table; throws one line naming the file and the problem. */
export function loadTable(file: string, o: { fresh: boolean }): Table {
  const m = requireTable(file, o.fresh) as { area?: unknown; cases?: unknown };
  const where = path.relative(process.cwd(), file) || file;
  if (typeof m.area !== 'string' || !SLUG.test(m.area)) throw new Error(`${where}: expected \`export const area = '<name>'\` (lower-case kebab-case)`);
  if (!Array.isArray(m.cases) || !m.cases.length) throw new Error(`${where}: expected \`export const cases: ContractCase[]\` with at least one row`);
  for (const c of m.cases as unknown[]) {
    const problem = rowProblem(c, m.area);
    if (problem) throw new Error(`${where}: ${problem}`);
  }
  const cases = m.cases as ContractCase[];
  return { area: m.area, cases, file, rows: rowLocations(fs.readFileSync(file, 'utf8'), m.area, cases) };
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The line of each row's `id:`. A literal id is found as written; a row built from a template
 * (`${area}.${transport}.${v.name}`) points at the template that matches it with the most literal
 * text. A row whose id is computed elsewhere points at `export const cases`.
 */
export function rowLocations(source: string, area: string, cases: readonly Pick<ContractCase, 'id'>[]): Map<string, { line: number; column: number }> {
  const lines = source.split('\n');
  const templates: { re: RegExp; literal: number; line: number; column: number }[] = [];
  let casesLine = { line: 1, column: 1 };
  lines.forEach((text, i) => {
    if (/export\s+const\s+cases\b/.test(text)) casesLine = { line: i + 1, column: text.search(/\S/) + 1 };
    const m = /\bid:\s*(['"`])((?:(?!\1).)*)\1/.exec(text);
    if (!m) return;
    const parts = m[2]!.replaceAll('${area}', area).split(/\$\{[^}]*\}/);
    templates.push({
      re: new RegExp(`^${parts.map(escapeRe).join('.+?')}$`),
      literal: parts.join('').length,
      line: i + 1,
      column: m.index + 1,
    });
  });
  const out = new Map<string, { line: number; column: number }>();
  for (const c of cases) {
    const best = templates.filter((t) => t.re.test(c.id)).sort((a, b) => b.literal - a.literal)[0];
    out.set(c.id, best ? { line: best.line, column: best.column } : casesLine);
  }
  return out;
}
