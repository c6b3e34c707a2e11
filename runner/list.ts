// `--list`: the catalogue of checks an auditor can read without running anything.
import { SUITES } from '../specs';
import { planSuites, type PlanInput } from './plan';
import { GENERATIONS } from '../helpers/model';
import { requirement } from '../helpers/requirements';
import { count } from './report/results';

export interface CatalogueRow {
  id: string;
  area: string;
  title: string;
  requirements: { id: string; document: string; section: string; level: string; ref?: string; url?: string }[];
  level: string;
  severity: string;
  tags: string[];
  generations: string[];
  needs: string[];
}

/** The checks a run with this selection would make (the whole catalogue without one). */
export function catalogue(selection?: PlanInput): CatalogueRow[] {
  return (selection ? planSuites(SUITES, selection) : SUITES).flatMap((s) =>
    s.cases.map((c) => ({
      id: c.id,
      area: s.area,
      title: c.title,
      requirements: c.requirements.map((id) => {
        const r = requirement(id);
        return { id, document: r.document, section: r.section, level: r.level, ...(r.ref ? { ref: r.ref } : {}), ...(r.url ? { url: r.url } : {}) };
      }),
      level: c.level,
      severity: c.severity,
      tags: [...c.tags],
      generations: [...(c.generations ?? GENERATIONS)],
      needs: [...(c.needs ?? [])],
    })),
  );
}

export function printCatalogue(json: boolean, selection?: PlanInput): string {
  const rows = catalogue(selection);
  if (json) return JSON.stringify(rows, null, 2);
  const lines = rows.map(
    (r) =>
      `${r.id}\n    ${r.title}\n    requirements: ${r.requirements.map((q) => `${q.id} (${q.ref ? `${q.document}, ${q.ref}` : `${q.document} ${q.section}`}, ${q.level})`).join('; ')}\n    level ${r.level} · severity ${r.severity} · generations ${r.generations.join(', ')} · tags ${r.tags.join(', ') || '-'}${r.needs.length ? ` · needs ${r.needs.join(', ')}` : ''}`,
  );
  return [count(rows.length, 'check'), ...lines].join('\n');
}
