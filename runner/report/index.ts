// Reports for CI gates and auditors (issue 5). See docs/reports.md for the bundle layout.
export { collectCiMeta, isoWithOffset, metaProperties, stripCredentials, type RunMeta } from './meta';
export { countVerdicts, overall, safeId, VERDICTS, type VerdictCounts } from './results';
export { renderTranscript, writeEvidence } from './evidence';
export { enrichJunit, enrichJunitXml, type JunitOptions } from './junit';
export { renderConsoleSummary, renderHtmlSummary, renderMarkdownSummary, type SummaryOptions } from './summary';
export { MANIFEST, SIGNATURE, verifyBundle, writeManifest } from './manifest';
export { SUMS, SUMS_SIGNATURE } from './sha256sums';
export {
  describeSecretHits,
  finalizeReports,
  scanReports,
  secretLeakLine,
  type FinalizeOptions,
  type FinalizeResult,
  type ReportSettings,
  type SecretHit,
} from './finalize';
