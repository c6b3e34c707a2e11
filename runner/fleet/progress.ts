// Progress of a fleet: on a terminal one line per deployment, redrawn in place; elsewhere (CI
// logs) one line when a deployment starts and one when it ends.
export interface Progress {
  update(name: string, state: string, detail?: string): void;
  done(): void;
}

export function createProgress(names: readonly string[], tty: boolean, out: (s: string) => void): Progress {
  const width = Math.max(...names.map((n) => n.length));
  const states = new Map(names.map((n) => [n, { state: 'queued', detail: '' }]));
  let drawn = 0;
  const cols = process.stdout.columns || 100;
  const draw = () => {
    const lines = names.map((n) => {
      const s = states.get(n)!;
      return `${n.padEnd(width)}  ${s.state}${s.detail ? `  ${s.detail.trim()}` : ''}`.slice(0, cols - 1);
    });
    process.stdout.write(`${drawn ? `\u001b[${drawn}A` : ''}${lines.map((l) => `\u001b[2K${l}\n`).join('')}`);
    drawn = lines.length;
  };
  return {
    update(name, state, detail) {
      const prev = states.get(name)!;
      const next = { state, detail: detail ?? '' };
      states.set(name, next);
      if (tty) draw();
      else if (prev.state !== state) out(`[${name}] ${state}${state !== 'running' && detail ? `: ${detail}` : ''}`);
    },
    done() {
      if (tty) draw();
    },
  };
}
