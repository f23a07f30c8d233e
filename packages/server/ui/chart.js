// The recent-traffic chart: one inline SVG, a line per series, each scaled to its own maximum.
const NS = 'http://www.w3.org/2000/svg';
const W = 600;
const H = 120;
const PAD = 4;

const SERIES = [
  { key: 'requests', className: 'k-req' },
  { key: 'tokens_per_second', className: 'k-tps' },
  { key: 'ttft_ms', className: 'k-ttft' },
  { key: 'errors', className: 'k-err' },
];

export function renderChart(container, buckets) {
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  const total = buckets.reduce((sum, b) => sum + b.requests, 0);
  svg.setAttribute('aria-label', `${total} requests in the last 10 minutes`);
  const step = buckets.length > 1 ? (W - 2 * PAD) / (buckets.length - 1) : 0;
  for (const { key, className } of SERIES) {
    const values = buckets.map((b) => b[key] ?? 0);
    const max = Math.max(...values, 1);
    const points = values.map((v, i) => `${(PAD + i * step).toFixed(1)},${(H - PAD - (v / max) * (H - 2 * PAD)).toFixed(1)}`);
    const line = document.createElementNS(NS, 'polyline');
    line.setAttribute('points', points.join(' '));
    line.setAttribute('class', `line ${className}`);
    svg.append(line);
  }
  container.replaceChildren(svg);
}
