// Which checks a run makes: the selection (--tags, --only, --skip) and the shard (--shard i/n)
// applied to the areas, in catalogue order. The run, --list and --dry-run all take it from here,
// so they name the same checks.
import type { Suite } from '../specs';
import { selectCases, type Selection } from './select';
import { shardOf, UsageError } from './args';
import type { Shard } from './args';

export interface PlanInput {
  tags: Selection['tags'];
  ids: string[];
  skip: string[];
  readonly: boolean;
  shard?: Shard;
}

export function selectionOf(o: PlanInput): Selection | undefined {
  return o.tags?.length || o.ids.length || o.skip.length || o.readonly ? { tags: o.tags ?? [], ids: o.ids, skip: o.skip, readonly: o.readonly } : undefined;
}

/** The selection in words, for the reports' headers (`--only security-bearer · --skip …`); undefined for a whole run. */
export function describeSelection(o: PlanInput): string | undefined {
  const parts = [
    o.tags?.length ? `--tags ${o.tags.join(',')}` : '',
    o.ids.length ? `--only ${o.ids.join(',')}` : '',
    o.skip.length ? `--skip ${o.skip.join(',')}` : '',
    o.readonly ? '--readonly' : '',
    o.shard ? `--shard ${o.shard.index}/${o.shard.total}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : undefined;
}

/** The areas and their selected checks; a selection that matches nothing is a usage error. */
export function planSuites(suites: readonly Suite[], o: PlanInput): Suite[] {
  const selection = selectionOf(o);
  const planned = shardOf(
    suites.map((s) => ({ area: s.area, cases: selectCases(s.cases, selection) })).filter((s) => s.cases.length > 0),
    o.shard,
  );
  if (!planned.length && o.shard)
    throw new UsageError(`--shard ${o.shard.index}/${o.shard.total}: this part holds no area with a selected check; use fewer parts`);
  if (!planned.length) throw new UsageError(`the selection (${describeSelection({ ...o, shard: undefined }) ?? 'everything'}) matches no check; see --list`);
  return planned;
}
