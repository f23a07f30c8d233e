// The dashboard: asks for the admin key when the server wants one, then follows GET /admin/events.
import { UnauthorizedError, api, forgetKey, getKey, setKey, sse } from './api.js';
import { ChatView } from './chat.js';
import { duration } from './format.js';
import { LiveView } from './live.js';
import { ModelsView, pull } from './models.js';

const $ = (id) => document.getElementById(id);
const STATE_EVENTS = new Set(['loading', 'loaded', 'unloading', 'unloaded', 'evicted', 'load_failed']);
const RECONNECT_MS = 3000;

let events;
let version = '';

function showStatus(stats) {
  $('status-line').textContent = `llmux ${version} · up ${duration(stats.uptime_seconds)} · ${stats.requests_served} requests served`;
}

function showAuth(message) {
  events?.abort();
  $('main').hidden = true;
  $('nav').hidden = true;
  $('auth').hidden = false;
  $('forget-key').hidden = true;
  $('conn').textContent = 'locked';
  document.title = '401 · llmux';
  if (message && getKey()) $('auth-message').textContent = `${message} Enter an admin key; it is kept in this tab only.`;
  $('auth-key').focus();
}

function showError(error) {
  if (error instanceof UnauthorizedError) return showAuth(error.message);
  $('conn').textContent = `error: ${error.message}`;
}

const models = new ModelsView({ rows: $('model-rows'), onError: showError });
const live = new LiveView($('live'));
const chat = new ChatView({ form: $('chat-form'), output: $('chat-output'), meta: $('chat-meta'), stop: $('chat-stop'), onError: showError });

async function start() {
  let status;
  try {
    status = await api('/admin/status');
  } catch (error) {
    return showError(error);
  }
  $('auth').hidden = true;
  $('main').hidden = false;
  $('nav').hidden = false;
  $('forget-key').hidden = !getKey();
  document.title = 'llmux';
  version = status.version;
  showStatus(status);
  const [, activity] = await Promise.all([models.refresh(), api('/admin/activity'), chat.loadModels()]).catch((error) => {
    showError(error);
    return [];
  });
  if (!activity) return;
  live.onStats(activity.stats);
  live.setRecent(activity.recent);
  follow();
}

/** One long-lived stream carries every change; it reconnects after a drop. */
async function follow() {
  events = new AbortController();
  const { signal } = events;
  try {
    await sse('/admin/events', { signal, onOpen: () => ($('conn').textContent = 'live') }, (name, data) => {
      const event = JSON.parse(data);
      if (STATE_EVENTS.has(name)) models.onState(name, event);
      else if (name === 'load_progress') models.onProgress(event);
      else if (name === 'stats') {
        live.onStats(event);
        showStatus(event);
      }
      else if (name === 'request') live.onRequest(event);
      else if (name === 'pull_done') models.refresh().catch(showError);
    });
  } catch (error) {
    if (signal.aborted) return;
    if (error instanceof UnauthorizedError) return showAuth(error.message);
  }
  if (signal.aborted) return;
  $('conn').textContent = 'reconnecting…';
  setTimeout(follow, RECONNECT_MS);
}

$('auth-form').addEventListener('submit', (event) => {
  event.preventDefault();
  setKey($('auth-key').value);
  $('auth-key').value = '';
  start();
});

$('forget-key').addEventListener('click', () => {
  forgetKey();
  showAuth();
});

$('pull-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const ref = $('pull-ref').value.trim();
  pull(ref, { progress: $('pull-progress'), status: $('pull-status') })
    .then(() => Promise.all([models.refresh(), chat.loadModels()]))
    .catch((error) => {
      $('pull-progress').hidden = true;
      $('pull-status').textContent = `pull failed: ${error.message}`;
      if (error instanceof UnauthorizedError) showAuth(error.message);
    });
});

start();
