// The reproduce line of a failing check: a curl command for one recorded (already masked) exchange,
// each redaction label replaced by a shell variable: the setting it came from
// ("$PLACEOS_USER_PASSWORD") or, for what the run minted, a named one ("$ACCESS_TOKEN") the reader
// sets first. Never a value: the input is masked, the output only names variables. Pure.
import type { Exchange, Verdict } from '../../helpers/model';
import { REDACTED_LABEL } from '../../helpers/secrets';

/** The variable a minted value of each kind gets in a reproduce line. */
const MINTED_NAME: Record<string, string> = {
  password: 'PASSWORD',
  client_secret: 'CLIENT_SECRET',
  api_key: 'API_KEY',
  access_token: 'ACCESS_TOKEN',
  refresh_token: 'REFRESH_TOKEN',
  code: 'CODE',
  code_verifier: 'CODE_VERIFIER',
  cookie: 'SESSION_COOKIE',
  id_token: 'ID_TOKEN',
};

/** A word of the command: literal text and shell expansions (`$X`), quoted piece by piece. */
type Piece = { text: string } | { expand: string };

/** Single quotes for literal text ('it'\''s'), double quotes for an expansion ("$X"). */
export function shellWord(pieces: readonly Piece[]): string {
  // Adjacent literal text is one quoted run.
  const merged: Piece[] = [];
  for (const p of pieces) {
    const last = merged[merged.length - 1];
    if ('text' in p && last && 'text' in last) merged[merged.length - 1] = { text: last.text + p.text };
    else merged.push(p);
  }
  const out = merged
    .filter((p) => ('text' in p ? p.text !== '' : true))
    .map((p) => ('text' in p ? `'${p.text.replace(/'/g, `'\\''`)}'` : `"${p.expand}"`))
    .join('');
  return out || "''";
}

interface Variables {
  /** Label → shell expansion. */
  of: Map<string, string>;
  /** Variables from the settings, by name. */
  settings: Set<string>;
  /** Minted variables: name → label. */
  minted: Map<string, string>;
}

function variablesFor(texts: readonly string[], sources: Readonly<Record<string, string>>): Variables {
  const labels = new Map<string, { kind: string; n: string }>();
  for (const t of texts) for (const m of t.matchAll(REDACTED_LABEL)) labels.set(`${m[1]}#${m[2]}`, { kind: m[1]!, n: m[2]! });
  const perKind = new Map<string, number>();
  for (const [label, { kind }] of labels) if (!sources[label]) perKind.set(kind, (perKind.get(kind) ?? 0) + 1);
  const v: Variables = { of: new Map(), settings: new Set(), minted: new Map() };
  for (const [label, { kind, n }] of labels) {
    const source = sources[label];
    if (source) {
      v.of.set(label, source);
      for (const m of source.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)) v.settings.add(m[1]!);
      continue;
    }
    const base = MINTED_NAME[kind] ?? 'SECRET';
    const name = (perKind.get(kind) ?? 0) > 1 ? `${base}_${n}` : base;
    v.of.set(label, `$${name}`);
    v.minted.set(name, label);
  }
  return v;
}

/** Text with its labels as pieces (a label without a variable stays as text). */
function pieces(text: string, vars: Variables, decode: (s: string) => string = (s) => s): Piece[] {
  const out: Piece[] = [];
  let at = 0;
  for (const m of text.matchAll(REDACTED_LABEL)) {
    out.push({ text: decode(text.slice(at, m.index)) });
    const expand = vars.of.get(`${m[1]}#${m[2]}`);
    out.push(expand ? { expand } : { text: m[0] });
    at = m.index + m[0].length;
  }
  out.push({ text: decode(text.slice(at)) });
  return out;
}

const formDecode = (s: string): string => {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
};

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  return Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
}

/** The body options: a form body field by field (a field with a variable URL-encoded by curl), else raw. */
function bodyOptions(body: string, contentType: string | undefined, vars: Variables): string[] {
  if (!/application\/x-www-form-urlencoded/i.test(contentType ?? '')) return [`--data-raw ${shellWord(pieces(body, vars))}`];
  return body.split('&').map((pair) => {
    if (!pair.includes('[REDACTED:')) return `--data-raw ${shellWord([{ text: pair }])}`;
    const eq = pair.indexOf('=');
    const name = eq < 0 ? '' : formDecode(pair.slice(0, eq));
    return `--data-urlencode ${shellWord([{ text: `${name}=` }, ...pieces(eq < 0 ? pair : pair.slice(eq + 1), vars, formDecode)])}`;
  });
}

/**
 * The reproduce text of one exchange: comment lines naming the exchange and the variables to set,
 * then the curl command (continued over lines with backslashes).
 */
export function reproduceCommand(x: Exchange, where: { index: number; total: number }, sources: Readonly<Record<string, string>>): string {
  const texts = [x.url, ...Object.values(x.requestHeaders), x.requestBody ?? ''];
  const vars = variablesFor(texts, sources);
  const method = x.method.toUpperCase();
  const args = ['curl -i'];
  if (method === 'HEAD') args.push('--head');
  else if (method !== 'GET' || x.requestBody !== undefined) args.push(`-X ${method}`);
  args.push(shellWord(pieces(x.url, vars)));
  for (const [k, v] of Object.entries(x.requestHeaders)) args.push(`-H ${shellWord([{ text: `${k}: ` }, ...pieces(v, vars)])}`);
  if (x.requestBody !== undefined && x.requestBody !== '') args.push(...bodyOptions(x.requestBody, headerValue(x.requestHeaders, 'content-type'), vars));
  const comments = [`# exchange ${where.index + 1}/${where.total} of the check (journey "${x.journey}", attempt ${x.attempt})`];
  if (vars.settings.size) comments.push(`# from your settings (env file or environment): ${[...vars.settings].sort().join(', ')}`);
  for (const [name, label] of vars.minted)
    comments.push(
      `# ${name} ([REDACTED:${label}] in the evidence) was minted by the run: mint one the same way (the earlier exchanges show how) and set it first`,
    );
  return `${comments.join('\n')}\n${args.join(' \\\n  ')}`;
}

/** The reproduce text of a check that did not hold or could not be made: its last exchange. */
export function reproduceFor(verdict: Verdict, exchanges: readonly Exchange[], sources: Readonly<Record<string, string>>): string | undefined {
  if ((verdict !== 'fail' && verdict !== 'error') || !exchanges.length) return undefined;
  return reproduceCommand(exchanges[exchanges.length - 1]!, { index: exchanges.length - 1, total: exchanges.length }, sources);
}
