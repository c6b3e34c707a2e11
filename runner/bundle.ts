// Where a run writes its report bundle: a staging folder beside the reports folder
// (`<reports>.partial-<runId>`, same parent, so the swap is a rename on one filesystem), swapped
// in only once the bundle is complete. Until then the previous bundle stays where it was; a run
// killed before the swap leaves only its staging folder, which the next run removes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './args';

/** Files and folders of a report bundle (any one marks a folder as a previous report). */
const REPORT_MARKERS: readonly string[] = ['results.json', 'junit.xml', 'MANIFEST.sha256.json', '.results', 'fleet.json'];
/** Everything else a bundle holds: a folder with only these is an incomplete bundle of the suite. */
const BUNDLE_ENTRIES: readonly string[] = [
  ...REPORT_MARKERS,
  'evidence',
  'summary.md',
  'summary.html',
  'secret-scan.json',
  'MANIFEST.sig',
  'SHA256SUMS',
  'SHA256SUMS.sig',
];

/** The run ids runner/main.ts makes (`placeos-contract-` + 8 base64url characters). */
const RUN_ID = 'placeos-contract-[A-Za-z0-9_-]{8}';
const LEFTOVER = (base: string) => new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(partial|previous)-${RUN_ID}$`);

/** True when the folder is absent, empty, a report bundle, or a bundle the suite began and did not finish. */
export function isSuiteFolder(dir: string): boolean {
  if (!fs.existsSync(dir)) return true;
  const entries = fs.readdirSync(dir);
  return !entries.length || entries.some((e) => REPORT_MARKERS.includes(e)) || entries.every((e) => BUNDLE_ENTRIES.includes(e));
}

/** A bundle of a run that ended normally: its results.json does not say `"complete": false` (a fleet's: not interrupted). */
function isCompleteBundle(dir: string): boolean {
  try {
    if (!fs.existsSync(path.join(dir, 'results.json')) && fs.existsSync(path.join(dir, 'fleet.json'))) {
      const f = JSON.parse(fs.readFileSync(path.join(dir, 'fleet.json'), 'utf8')) as { exitCode?: number };
      return f.exitCode !== 130 && f.exitCode !== 143;
    }
    const r = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as { complete?: boolean };
    return r.complete !== false;
  } catch {
    return false;
  }
}

/** The refusal for a reports folder that holds something else: never emptied, never replaced. */
export function assertReportsFolder(dir: string): void {
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new UsageError(`--reports ${dir}: this is a file, not a folder; choose a folder`);
  if (!isSuiteFolder(dir)) throw new UsageError(`--reports ${dir}: the folder is not empty and holds no previous report; choose an empty or new folder`);
}

/** Staging and half-swapped folders a killed run left beside `dir` (by name: `<base>.partial-<runId>`). */
export function leftovers(dir: string): string[] {
  const parent = path.dirname(dir);
  if (!fs.existsSync(parent)) return [];
  const re = LEFTOVER(path.basename(dir));
  return fs
    .readdirSync(parent)
    .filter((e) => re.test(e))
    .map((e) => path.join(parent, e));
}

export interface StagedBundle {
  /** The reports folder the bundle is for (absolute). */
  readonly reportsDir: string;
  /** Where the run writes the bundle until the swap. */
  readonly dir: string;
  /**
   * Puts the bundle in place of the reports folder; the previous bundle goes only now. A bundle
   * that is not complete (interrupted, could not run) keeps the last complete one beside the
   * reports folder (`<reports>.last-complete`), never lost; returns that folder when it kept one.
   */
  commit(o?: { complete: boolean }): string | undefined;
  /** Removes the staging folder (the run wrote nothing worth keeping). */
  discard(): void;
}

/**
 * Checks the reports folder (refused when it holds anything but a report), removes what killed
 * runs left beside it, and makes the run's staging folder. Nothing of the previous bundle changes.
 */
export function stageBundle(reportsDir: string, runId: string): StagedBundle {
  const dir = path.resolve(reportsDir);
  assertReportsFolder(dir);
  for (const l of leftovers(dir)) fs.rmSync(l, { recursive: true, force: true });
  // A killed swap may have left the previous bundle renamed and the reports folder absent: it
  // went with the leftovers above; the folder is written afresh below.
  const staging = `${dir}.partial-${runId}`;
  try {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.mkdirSync(staging);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new UsageError(
      `--reports ${dir}: cannot write the folder beside it where the bundle is staged (${path.basename(staging)}: ${code}); choose a folder whose parent is writable`,
    );
  }
  return {
    reportsDir: dir,
    dir: staging,
    commit({ complete } = { complete: true }) {
      const previous = `${dir}.previous-${runId}`;
      const lastComplete = `${dir}.last-complete`;
      // The folder may have gained something else during the run: it is still not ours to replace.
      assertReportsFolder(dir);
      const had = fs.existsSync(dir);
      const keep = had && !complete && isCompleteBundle(dir);
      if (had) fs.renameSync(dir, previous);
      fs.renameSync(staging, dir);
      if (keep) {
        fs.rmSync(lastComplete, { recursive: true, force: true });
        fs.renameSync(previous, lastComplete);
        return lastComplete;
      }
      if (had) fs.rmSync(previous, { recursive: true, force: true });
      // A complete bundle is the last complete one itself.
      if (complete) fs.rmSync(lastComplete, { recursive: true, force: true });
      return undefined;
    },
    discard() {
      fs.rmSync(staging, { recursive: true, force: true });
    },
  };
}
