// The live view: tiles, memory against the cap, the chart, load per model, recent routing decisions.
import { renderChart } from './chart.js';
import { bytes, el, ms } from './format.js';

const RECENT_ROWS = 20;

export class LiveView {
  constructor(root) {
    this.root = root;
    this.recent = [];
  }

  $(id) {
    return this.root.querySelector(`#${id}`);
  }

  onStats(stats) {
    this.$('t-inflight').textContent = String(stats.requests_in_flight);
    this.$('t-queued').textContent = String(stats.queue_depth);
    const latest = [...stats.series].reverse();
    const tps = latest.find((b) => b.tokens_per_second !== null)?.tokens_per_second;
    const ttft = latest.find((b) => b.ttft_ms !== null)?.ttft_ms;
    this.$('t-tps').textContent = tps === undefined ? '–' : String(tps);
    this.$('t-ttft').textContent = ttft === undefined ? '–' : ms(ttft);
    const requests = stats.series.reduce((sum, b) => sum + b.requests, 0);
    const errors = stats.series.reduce((sum, b) => sum + b.errors, 0);
    this.$('t-errors').textContent = requests === 0 ? '–' : `${Math.round((errors / requests) * 1000) / 10}%`;
    const { memory } = stats;
    const percent = memory.cap_bytes > 0 ? Math.min(100, (memory.models_bytes / memory.cap_bytes) * 100) : 0;
    this.$('mem-fill').style.width = `${percent}%`;
    this.$('mem-meter').setAttribute('aria-valuenow', String(Math.round(percent)));
    this.$('mem-text').textContent = `${bytes(memory.models_bytes)} of ${bytes(memory.cap_bytes)} cap (${memory.available_gb} GB free on the machine)`;
    renderChart(this.$('chart'), stats.series);
    const rows = stats.models.map((m) =>
      el('tr', {}, el('th', { scope: 'row' }, m.id), el('td', {}, m.state), el('td', {}, String(m.active_requests)), el('td', {}, String(m.queued_requests))),
    );
    this.$('load-rows').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colSpan: 4, className: 'muted' }, 'no model loaded'))]));
  }

  setRecent(records) {
    this.recent = records.slice(0, RECENT_ROWS);
    this.renderRecent();
  }

  onRequest(record) {
    this.recent.unshift(record);
    this.recent.length = Math.min(this.recent.length, RECENT_ROWS);
    this.renderRecent();
  }

  renderRecent() {
    const rows = this.recent.map((r) =>
      el(
        'tr',
        { className: r.status >= 400 ? 'failed' : '' },
        el('td', {}, new Date(r.time).toLocaleTimeString()),
        el('td', {}, r.model || '–'),
        el('td', {}, r.route ?? '–'),
        el('td', { className: 'reason' }, r.reason ?? '–'),
        el('td', {}, String(r.status)),
        el('td', {}, ms(r.ttft_ms)),
        el('td', {}, `${r.prompt_tokens} → ${r.completion_tokens}`),
      ),
    );
    this.$('recent-rows').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colSpan: 7, className: 'muted' }, 'no requests yet'))]));
  }
}
