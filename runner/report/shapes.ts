// Response shapes: which members each schema-validated response carried. The schemas are open to
// extra members, so a new or vanished member never changes a verdict; recording what was seen
// lets a later run compare shapes against a baseline (runner/report/baseline.ts).
import type { SchemaRegistry } from '../../helpers/schemas';

/** schema name → sorted JSON pointers of the members seen (array items as `/*`). */
export type Shapes = Record<string, string[]>;

const MAX_DEPTH = 4;
const MAX_MEMBERS = 200;

/** Member pointers of a value: every object key, recursively, array items collapsed to `*`. */
export function membersOf(value: unknown, pointer = '', depth = 0, out = new Set<string>()): Set<string> {
  if (depth >= MAX_DEPTH || out.size >= MAX_MEMBERS) return out;
  if (Array.isArray(value)) {
    for (const v of value) membersOf(v, `${pointer}/*`, depth + 1, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      out.add(p);
      membersOf(v, p, depth + 1, out);
    }
  }
  return out;
}

/** A registry that also records the members of every value it checks into `shapes`. */
export function recordingRegistry(inner: SchemaRegistry, shapes: Shapes): SchemaRegistry {
  return {
    ...inner,
    check(name, value, generation) {
      const result = inner.check(name, value, generation);
      const seen = new Set(shapes[name] ?? []);
      for (const m of membersOf(value)) seen.add(m);
      shapes[name] = [...seen].sort();
      return result;
    },
  };
}

/** Union of the shapes of many checks. */
export function mergeShapes(all: readonly (Shapes | undefined)[]): Shapes {
  const m = new Map<string, Set<string>>();
  for (const s of all)
    for (const [name, members] of Object.entries(s ?? {})) {
      const set = m.get(name) ?? new Set<string>();
      for (const x of members) set.add(x);
      m.set(name, set);
    }
  return Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, [...v].sort()]));
}
