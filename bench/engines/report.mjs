// Markdown for a bench:engines report: one table per model, ratios of llmux against each reference.

const fmt = (value, digits = 0) => (value == null || Number.isNaN(value) ? '–' : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const ratio = (a, b) => (a == null || b == null || !b ? '–' : `${(a / b).toFixed(2)}x`);

export function renderMarkdown(report) {
  const { machine, engines, rows } = report;
  const has = (name) => engines.includes(name);
  // llmux run with environment variables (llmux[KEY=VALUE;...]): a lever measured on and off in the same run
  const variants = engines.filter((name) => name.startsWith('llmux['));
  const lines = [];
  lines.push(`Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB; Node ${machine.node}; node-llama-cpp ${machine.nodeLlamaCpp} (llama.cpp ${machine.llamaCpp}); load average at start ${machine.loadAverageAtStart.join(' ')}.`);
  lines.push(`Medians of ${report.rounds} round(s); ${report.maxTokens} max tokens per request, greedy, streamed; ${report.parallel} sequences per engine, context ${report.contextSize} per sequence, flash attention off${report.warmup ? `; ${report.warmup} warm-up requests per engine` : ""}. ${report.startedAt}`);
  for (const model of [...new Set(rows.map((r) => r.model))]) {
    lines.push('', `### ${model}`, '');
    const head = ['threads', 'c'];
    if (has('llama-server')) head.push('llama-server tok/s');
    if (has('direct')) head.push('direct tok/s');
    if (has('llmux')) head.push('llmux tok/s', 'llmux per stream');
    if (has('llmux') && has('llama-server')) head.push('llmux / llama-server');
    if (has('llmux') && has('direct')) head.push('llmux / direct');
    for (const name of variants) head.push(`${name} tok/s`, `llmux / ${name}`);
    if (has('llama-server')) head.push('TTFT p50 llama-server ms');
    if (has('direct')) head.push('TTFT p50 direct ms');
    if (has('llmux')) head.push('TTFT p50 llmux ms', 'TTFT p99 llmux ms');
    if (has('llmux') && has('llama-server')) head.push('TTFT p50 llmux / llama-server');
    lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
    for (const row of rows.filter((r) => r.model === model)) {
      const s = row['llama-server'];
      const d = row.direct;
      const l = row.llmux;
      const cells = [row.threads, row.concurrency];
      if (has('llama-server')) cells.push(fmt(s?.aggTokS));
      if (has('direct')) cells.push(fmt(d?.aggTokS));
      if (has('llmux')) cells.push(fmt(l?.aggTokS), fmt(l?.perStreamTokS));
      if (has('llmux') && has('llama-server')) cells.push(ratio(l?.aggTokS, s?.aggTokS));
      if (has('llmux') && has('direct')) cells.push(ratio(l?.aggTokS, d?.aggTokS));
      for (const name of variants) cells.push(fmt(row[name]?.aggTokS), ratio(l?.aggTokS, row[name]?.aggTokS));
      if (has('llama-server')) cells.push(fmt(s?.ttftP50Ms, 1));
      if (has('direct')) cells.push(fmt(d?.ttftP50Ms, 1));
      if (has('llmux')) cells.push(fmt(l?.ttftP50Ms, 1), fmt(l?.ttftP99Ms, 1));
      if (has('llmux') && has('llama-server')) cells.push(ratio(l?.ttftP50Ms, s?.ttftP50Ms));
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  if (report.idle.length > 0) {
    lines.push('', 'Resident memory after warm-up (one model loaded per process):', '');
    lines.push('| model | threads | engine | RSS MiB |', '|---|---|---|---|');
    for (const m of report.idle) lines.push(`| ${m.model} | ${m.threads} | ${m.engine} | ${fmt(m.idleRssBytes / 2 ** 20)} |`);
  }
  return lines.join('\n');
}
