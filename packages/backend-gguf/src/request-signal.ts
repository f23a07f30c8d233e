/**
 * A signal for one request that aborts when the client's signal or the model's (unload) signal does.
 *
 * `AbortSignal.any([request, model])` would do, but a combined signal with listeners stays reachable
 * from its sources for as long as they live, and the model's signal lives as long as the model: every
 * request would leave its signal (and what its listeners hold) behind, ~1 KB each. `release()`
 * detaches this one when the request ends.
 */
export function requestSignal(request: AbortSignal | undefined, model: AbortSignal): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const sources = request ? [request, model] : [model];
  const onAbort = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  const release = () => {
    for (const source of sources) source.removeEventListener('abort', onAbort);
  };
  for (const source of sources) {
    if (source.aborted) {
      controller.abort(source.reason);
      break;
    }
    source.addEventListener('abort', onAbort, { once: true });
  }
  return { signal: controller.signal, release };
}
