// Reads Keymint's Prometheus text exposition (/metrics) into samples, so that the
// benchmark counts what the server did (database queries, cache lookups, tokens issued)
// instead of assuming it.
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key] = value;
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of every series of `name`; undefined when the server does not export it. */
export function total(samples: Sample[], name: string): number | undefined {
  const found = samples.filter((s) => s.name === name);
  return found.length ? found.reduce((sum, s) => sum + s.value, 0) : undefined;
}

const seriesKey = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** Per-series increase of `name` between two scrapes, keyed "label=value,…". */
export function increaseBySeries(before: Sample[], after: Sample[], name: string): Map<string, number> {
  const start = new Map(before.filter((s) => s.name === name).map((s) => [seriesKey(s.labels), s.value]));
  const out = new Map<string, number>();
  for (const s of after.filter((x) => x.name === name)) {
    const key = seriesKey(s.labels);
    out.set(key, s.value - (start.get(key) ?? 0));
  }
  return out;
}
