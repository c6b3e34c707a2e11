// The bundle of a run that could not be made (connection refused, timeout, TLS, detection, a
// refused credential, an interrupt before the checks...): one `<error>` testcase naming the
// reason, results.json with `"complete": false`, the summaries and the manifest, so that a CI
// job's artifact upload and JUnit widget never show an earlier run's PASS as current. The reason
// comes masked; the files are scanned all the same and a file holding a secret is withheld.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SecretFingerprint } from '../../helpers/secrets';
import { escapeHtml } from './html';
import { escapeXml } from './junit';
import { writeManifest } from './manifest';
import { isoWithOffset, stripCredentials } from './meta';
import { scanReports, type SecretHit } from './finalize';

export interface CouldNotRunInput {
  /** The (staging) folder the bundle goes to: emptied first. */
  dir: string;
  runId: string;
  /** The one line the console printed (masked), without the `placeos-contract: ` prefix. */
  reason: string;
  /** What stopped the run: `could not run` or the interrupt (`interrupted by SIGTERM`). */
  outcome: string;
  /** The deployment's base URL, when one was named. */
  target?: string;
  embedded?: boolean;
  startedAt: Date;
  suiteVersion: string;
  fingerprints: SecretFingerprint[];
  signingKeyPem?: string;
  /** $GITHUB_STEP_SUMMARY, from the entry point: the Markdown summary is appended to it. */
  stepSummary?: string;
}

const CASE_ID = 'run.could-not-run';

/** Writes the bundle; returns a note for the console when the step summary could not be written. */
/** What writing it found: a registered secret in an artifact (withheld), a note on the step summary. */
export interface CouldNotRunWritten {
  secretHits: SecretHit[];
  note?: string;
}

export function writeCouldNotRunBundle(o: CouldNotRunInput): CouldNotRunWritten {
  fs.rmSync(o.dir, { recursive: true, force: true });
  fs.mkdirSync(o.dir, { recursive: true });
  const endedAt = new Date();
  const target = o.target ? `${stripCredentials(o.target)}${o.embedded ? ' (embedded reference target)' : ''}` : '(no deployment reached)';
  const title = `the run could be made [${CASE_ID}]`;
  const headline = `${o.outcome.toUpperCase()}: ${o.reason}`;
  const x = (s: string) => escapeXml(s, true);
  const started = isoWithOffset(o.startedAt);
  const seconds = ((endedAt.getTime() - o.startedAt.getTime()) / 1000).toFixed(3);
  const junit = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="PlaceOS auth contract" tests="1" failures="0" errors="1" time="${seconds}">`,
    `  <testsuite name="run" errors="1" failures="0" skipped="0" timestamp="${x(started)}" time="${seconds}" tests="1">`,
    '    <properties>',
    ...[
      ['run_id', o.runId],
      ['target', target],
      ['complete', 'false'],
      ['incomplete_reason', o.reason],
    ].map(([k, v]) => `      <property name="${x(k!)}" value="${x(v!)}"/>`),
    '    </properties>',
    `    <testcase classname="run" name="${x(title)}" time="${seconds}">`,
    `      <error message="${x(headline)}">${escapeXml(headline)}</error>`,
    '    </testcase>',
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(o.dir, 'junit.xml'), junit);
  const meta = {
    runId: o.runId,
    suiteVersion: o.suiteVersion,
    target,
    embedded: !!o.embedded,
    startedAt: started,
    endedAt: isoWithOffset(endedAt),
    node: process.version,
  };
  const results = {
    format: 'placeos-contract-results/1',
    outcome: o.outcome.toUpperCase(),
    complete: false,
    reason: o.reason,
    counts: { total: 0 },
    meta,
    results: [],
  };
  fs.writeFileSync(path.join(o.dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const markdown = [
    `## PlaceOS auth contract: ❌ ${o.outcome.toUpperCase()}`,
    '',
    `The run could not be made: ${o.reason.replace(/[\\|<>]/g, (c) => `\\${c}`)}`,
    '',
    `**Target** ${target} · **Run** \`${o.runId}\` · ${meta.startedAt} → ${meta.endedAt}`,
    '',
    'No check ran: nothing in this bundle says anything about the deployment.',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(o.dir, 'summary.md'), markdown);
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>PlaceOS auth contract — ${escapeHtml(o.outcome.toUpperCase())} — ${escapeHtml(o.runId)}</title></head>
<body>
<h1>PlaceOS auth contract report <span class="outcome" id="outcome">${escapeHtml(o.outcome.toUpperCase())}</span></h1>
<p role="alert" id="reason">The run could not be made: ${escapeHtml(o.reason)}</p>
<p>${escapeHtml(target)} · run ${escapeHtml(o.runId)} · ${escapeHtml(meta.startedAt)} → ${escapeHtml(meta.endedAt)}</p>
<p>No check ran: nothing in this bundle says anything about the deployment.</p>
</body></html>
`;
  fs.writeFileSync(path.join(o.dir, 'summary.html'), html);
  const hits = scanReports(o.dir, o.fingerprints);
  for (const f of new Set(hits.map((h) => h.file))) fs.rmSync(path.join(o.dir, f), { force: true });
  writeManifest(o.dir, o.signingKeyPem ? { signingKeyPem: o.signingKeyPem } : {});
  if (o.stepSummary && !hits.some((h) => h.file === 'summary.md')) {
    try {
      fs.appendFileSync(o.stepSummary, markdown);
    } catch (e) {
      return { secretHits: hits, note: `could not append to $GITHUB_STEP_SUMMARY: ${(e as Error).message}` };
    }
  }
  return { secretHits: hits };
}
