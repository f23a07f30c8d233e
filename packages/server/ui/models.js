// The models table: state, files, memory, TTL and pin, with load/unload/pin/delete, and pulls.
import { api, sse } from './api.js';
import { bytes, duration, el } from './format.js';

const STATE_LABEL = { available: 'available', loading: 'loading', loaded: 'loaded', unloading: 'unloading' };

export class ModelsView {
  constructor({ rows, onError }) {
    this.rows = rows;
    this.onError = onError;
    this.models = [];
    /** When each model started loading, for the elapsed-time progress. */
    this.loadingSince = new Map();
    this.timer = setInterval(() => this.tick(), 1000);
  }

  async refresh() {
    const { data } = await api('/admin/models');
    this.models = data;
    this.fetchedAt = Date.now();
    this.render();
    return data;
  }

  /** Applies a lifecycle event at once; the full row follows from a refresh. */
  onState(name, event) {
    const model = this.models.find((m) => m.id === event.model);
    if (name === 'loading') this.loadingSince.set(event.model, event.time);
    else this.loadingSince.delete(event.model);
    if (model) {
      model.state = event.state;
      this.render();
    }
    if (name !== 'loading' && name !== 'unloading') this.refresh().catch(this.onError);
  }

  /** A `load_progress` event: moves the row's bar without rebuilding the table. */
  onProgress(event) {
    const model = this.models.find((m) => m.id === event.model);
    if (model) model.load_progress = event.progress;
    const bar = this.rows.querySelector(`progress[data-progress="${CSS.escape(event.model)}"]`);
    if (bar) bar.value = event.progress;
  }

  tick() {
    for (const cell of this.rows.querySelectorAll('[data-ttl-at]')) {
      const left = Math.max(0, Math.round((Number(cell.dataset.ttlAt) - Date.now()) / 1000));
      cell.textContent = duration(left);
    }
    for (const cell of this.rows.querySelectorAll('[data-loading-since]')) {
      cell.textContent = `${Math.round((Date.now() - Number(cell.dataset.loadingSince)) / 1000)}s`;
    }
  }

  /**
   * Rebuilds the rows and keeps the keyboard focus on the same button slot of the same model,
   * also across a load, while which the button is disabled and cannot hold the focus.
   */
  render() {
    const key = document.activeElement?.dataset?.focusKey ?? this.pendingFocus;
    this.rows.replaceChildren(...this.models.map((m) => this.row(m)));
    const button = key ? this.rows.querySelector(`[data-focus-key="${CSS.escape(key)}"]`) : null;
    if (button && !button.disabled) {
      button.focus();
      if (key === this.pendingFocus) this.pendingFocus = undefined;
    }
  }

  row(m) {
    const state = el('span', { className: `badge s-${m.state}`, 'data-state': m.state }, STATE_LABEL[m.state] ?? m.state);
    const stateCell = el('td', { 'data-label': 'State' }, state);
    if (m.state === 'loading' || m.state === 'unloading') {
      const bar = el('progress', { 'aria-label': `${m.id} ${m.state}`, 'data-progress': m.id });
      if (m.state === 'loading' && m.load_progress !== null && m.load_progress !== undefined) bar.value = m.load_progress;
      stateCell.append(bar);
      if (m.state === 'loading') {
        const since = this.loadingSince.get(m.id) ?? Date.now();
        stateCell.append(' ', el('span', { className: 'muted', 'data-loading-since': String(since) }, '0s'));
      }
    }
    if (m.last_error) stateCell.append(el('div', { className: 'error small' }, m.last_error));
    const ttl = el('td', { 'data-label': 'TTL left' });
    if (m.ttl_left_seconds !== null && m.ttl_left_seconds !== undefined) {
      ttl.dataset.ttlAt = String(this.fetchedAt + m.ttl_left_seconds * 1000);
      ttl.textContent = duration(m.ttl_left_seconds);
    } else ttl.textContent = m.state === 'loaded' ? (m.pinned ? 'pinned' : m.ttl_seconds === 0 ? 'never' : 'busy') : '–';
    const loaded = m.state === 'loaded';
    const actions = el(
      'td',
      { className: 'actions', 'data-label': 'Actions' },
      this.button(m, 'lifecycle', loaded ? 'unload' : 'load', loaded ? 'Unload' : 'Load', m.state === 'loading' || m.state === 'unloading'),
      this.button(m, 'pin', 'pin', m.pinned ? 'Unpin' : 'Pin'),
      m.configured ? null : this.button(m, 'delete', 'delete', 'Delete'),
    );
    return el(
      'tr',
      { 'data-model': m.id },
      el('th', { scope: 'row', 'data-label': 'Model' }, m.id, m.aliases.length ? el('div', { className: 'muted small' }, m.aliases.join(', ')) : null),
      stateCell,
      el('td', { 'data-label': 'Backend' }, m.backend ?? '–'),
      el('td', { 'data-label': 'Format' }, [m.format, m.quantization].filter(Boolean).join(' ') || '–'),
      el('td', { 'data-label': 'Size' }, bytes(m.size_bytes)),
      el('td', { 'data-label': 'Memory' }, `${m.memory_bytes ? bytes(m.memory_bytes) : '–'} / ${bytes(m.memory_used_bytes)}`),
      ttl,
      el('td', { 'data-label': 'Pinned' }, m.pinned ? 'yes' : 'no'),
      actions,
    );
  }

  button(model, slot, action, label, disabled = false) {
    const button = el('button', { type: 'button', textContent: label, disabled, 'data-action': action, 'data-model': model.id, 'data-focus-key': `${slot}:${model.id}`, 'aria-label': `${label} ${model.id}` });
    if (action === 'delete') button.className = 'danger';
    button.addEventListener('click', () => {
      this.pendingFocus = `${slot}:${model.id}`;
      this.act(action, model).catch(this.onError);
    });
    return button;
  }

  async act(action, model) {
    if (action === 'load') await api('/admin/models/load', { method: 'POST', body: { model_id: model.id } });
    else if (action === 'unload') await api('/admin/models/unload', { method: 'POST', body: { model_id: model.id } });
    else if (action === 'pin') await api('/admin/models/pin', { method: 'POST', body: { model_id: model.id, pinned: !model.pinned } });
    else if (action === 'delete') {
      if (!confirm(`Delete ${model.id} from the cache?`)) return;
      await api(`/admin/models/${model.id.split('/').map(encodeURIComponent).join('/')}`, { method: 'DELETE' });
    }
    await this.refresh();
  }
}

/** A pull with a live progress bar, from the pull endpoint's own SSE answer. */
export async function pull(ref, { progress, status }) {
  progress.hidden = false;
  progress.removeAttribute('value');
  status.textContent = `pulling ${ref}…`;
  let result;
  await sse('/admin/models/pull', { method: 'POST', body: { model_id: ref, stream: true } }, (_name, data) => {
    if (data === '[DONE]') return;
    const event = JSON.parse(data);
    if (event.status === 'downloading') {
      const total = event.overall_total_bytes ?? event.total_bytes;
      const received = event.overall_received_bytes ?? event.received_bytes;
      if (total) {
        progress.max = total;
        progress.value = received;
      }
      status.textContent = `${event.file}: ${bytes(received)} of ${bytes(total)}`;
    } else if (event.status === 'success') result = event;
    else if (event.error) throw new Error(event.error.message);
  });
  progress.hidden = true;
  status.textContent = result ? `pulled ${result.model}` : 'pull ended';
  return result;
}
