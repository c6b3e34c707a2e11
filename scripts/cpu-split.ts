// Where the CPU of a run goes: reads the V8 CPU profiles of `node --cpu-prof` (the runner, and
// each jest worker, which inherits the flag) and sums each function's own time into a few
// categories by the file it lives in. Used by `npm run bench`; also runs on its own:
//   tsx scripts/cpu-split.ts <folder of .cpuprofile files>
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** First match wins; by the file of the function that was running. */
export const CATEGORIES: readonly [string, RegExp][] = [
  ['embedded target: its own code', /\/reference\/src\//],
  [
    'embedded target: express, oauth2-server',
    /node_modules\/(express|router|body-parser|@node-oauth|send|finalhandler|qs|raw-body|iconv-lite|type-is|mime|accepts|negotiator|cookie|content-type|media-typer|path-to-regexp|serve-static|on-finished|statuses|depd|debug|ms|http-errors|etag|fresh|range-parser|vary|proxy-addr|forwarded|ipaddr\.js|merge-descriptors|methods|utils-merge|parseurl|escape-html|encodeurl|safe-buffer)\//,
  ],
  ['ajv: schema compilation and validation', /node_modules\/(ajv|ajv-formats|fast-deep-equal|fast-uri|json-schema-traverse)\//],
  ['JWT / RSA (jose)', /node_modules\/jose\//],
  ['TypeScript transforms (tsx, esbuild, swc)', /node_modules\/(tsx|esbuild|@esbuild|@swc|get-tsconfig|esbuild-register)\//],
  [
    'jest: start-up, module registry, reporters',
    /node_modules\/(jest[^/]*|@jest|jest-junit|babel[^/]*|@babel|pirates|graceful-fs|micromatch|picomatch|istanbul[^/]*|import-local|yargs[^/]*|chalk|ci-info|exit-x|strip-ansi|source-map[^/]*|collect-v8-coverage|expect|pretty-format|write-file-atomic|p-limit|fb-watchman|walker|anymatch|fast-json-stable-stringify|@sinclair|cjs-module-lexer|slash|stack-utils|mkdirp|uuid|xml|mkdirp|strip-json-comments|parse-json|callsites|glob|minimatch|minipass|path-scurry|lru-cache)\//,
  ],
  [
    'HTTP client (supertest/superagent, tough-cookie)',
    /node_modules\/(supertest|superagent|formidable|tough-cookie|cookiejar|mime[^/]*|form-data|combined-stream|asynckit|delayed-stream|methods|tldts[^/]*|https-proxy-agent|agent-base|fast-safe-stringify|dezalgo|once|wrappy|qs|side-channel[^/]*|es-[^/]*|get-intrinsic|call-bind[^/]*|function-bind|hasown|gopd|has-symbols|object-inspect|dunder-proto|get-proto|math-intrinsics)\//,
  ],
  ['checks: helpers, specs, runner (masking, assertions, engine, reports)', /\/(helpers|specs|runner|scripts)\//],
  ['other node_modules', /node_modules\//],
  ['node internals (module loading, http, streams, crypto)', /^node:|^internal|^$/],
];

const GC_AND_VM = new Set(['(garbage collector)', '(program)']);

export interface Split {
  files: number;
  totalMs: number;
  idleMs: number;
  byCategory: Record<string, number>;
  byProcess: { file: string; busyMs: number }[];
}

export function splitProfiles(dir: string): Split {
  const byCategory: Record<string, number> = {};
  const byProcess: Split['byProcess'] = [];
  let totalMs = 0;
  let idleMs = 0;
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  for (const f of files) {
    const p = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Profile;
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    let busy = 0;
    p.samples.forEach((id, i) => {
      const ms = (p.timeDeltas[i] ?? 0) / 1000;
      const n = byId.get(id)!;
      const { functionName, url } = n.callFrame;
      if (functionName === '(idle)') {
        idleMs += ms;
        return;
      }
      busy += ms;
      const cat = GC_AND_VM.has(functionName)
        ? 'V8: garbage collection and VM'
        : (CATEGORIES.find(([, re]) => re.test(url))?.[0] ?? 'node internals (module loading, http, streams, crypto)');
      byCategory[cat] = (byCategory[cat] ?? 0) + ms;
    });
    totalMs += busy;
    byProcess.push({ file: f, busyMs: busy });
  }
  return { files: files.length, totalMs, idleMs, byCategory, byProcess };
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: tsx scripts/cpu-split.ts <folder of .cpuprofile files>');
  const s = splitProfiles(dir);
  process.stdout.write(`${s.files} profiles, ${(s.totalMs / 1000).toFixed(2)} s on the CPU\n`);
  for (const [k, v] of Object.entries(s.byCategory).sort((a, b) => b[1] - a[1]))
    process.stdout.write(`${(v / 1000).toFixed(2).padStart(7)} s  ${((v / s.totalMs) * 100).toFixed(0).padStart(3)} %  ${k}\n`);
  for (const p of s.byProcess) process.stdout.write(`  ${p.file}: ${(p.busyMs / 1000).toFixed(2)} s\n`);
}
