// The chat playground: streams from /v1/chat/completions and shows usage and the route taken.
import { api, sse } from './api.js';
import { el, ms } from './format.js';

export class ChatView {
  constructor({ form, output, meta, stop, onError }) {
    Object.assign(this, { form, output, meta, stop, onError });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.send().catch((error) => {
        if (error.name !== 'AbortError') this.onError(error);
      });
    });
    stop.addEventListener('click', () => this.controller?.abort());
  }

  /** Fills the model picker with served models and virtual names. */
  async loadModels() {
    const { data } = await api('/v1/models');
    const select = this.form.elements.model;
    const current = select.value;
    select.replaceChildren(...data.map((m) => el('option', { value: m.id }, m.virtual ? `${m.id} (virtual: ${m.strategy})` : m.id)));
    if (current && data.some((m) => m.id === current)) select.value = current;
  }

  async send() {
    const { model, prompt, max } = this.form.elements;
    this.controller = new AbortController();
    this.output.textContent = '';
    this.meta.replaceChildren();
    this.stop.disabled = false;
    this.form.querySelector('button[type=submit]').disabled = true;
    const started = performance.now();
    let firstAt;
    let usage;
    let headers;
    try {
      await sse(
        '/v1/chat/completions',
        {
          method: 'POST',
          signal: this.controller.signal,
          body: { model: model.value, messages: [{ role: 'user', content: prompt.value }], max_tokens: Number(max.value), stream: true, stream_options: { include_usage: true } },
          onOpen: (res) => (headers = res.headers),
        },
        (_name, data) => {
          if (data === '[DONE]') return;
          const chunk = JSON.parse(data);
          if (chunk.error) throw new Error(chunk.error.message);
          const text = chunk.choices?.[0]?.delta?.content;
          if (text) {
            firstAt ??= performance.now();
            this.output.textContent += text;
          }
          if (chunk.usage) usage = chunk.usage;
        },
      );
    } finally {
      this.stop.disabled = true;
      this.form.querySelector('button[type=submit]').disabled = false;
    }
    const seconds = (performance.now() - (firstAt ?? started)) / 1000;
    const facts = [
      ['Model', headers?.get('x-llmux-model') ?? model.value],
      ['Route', headers?.get('x-llmux-route') ?? '–'],
      ['Reason', headers?.get('x-llmux-route-reason') ?? '–'],
      ['Usage', usage ? `${usage.prompt_tokens} prompt + ${usage.completion_tokens} completion = ${usage.total_tokens} tokens` : '–'],
      ['TTFT', firstAt === undefined ? '–' : ms(firstAt - started)],
      ['Tokens/s', usage && seconds > 0 ? (usage.completion_tokens / seconds).toFixed(1) : '–'],
    ];
    this.meta.replaceChildren(...facts.flatMap(([term, value]) => [el('dt', {}, term), el('dd', { 'data-fact': term.toLowerCase() }, value)]));
  }
}
