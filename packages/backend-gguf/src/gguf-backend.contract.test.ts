import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeBackendContract } from '@llmux/core/testing';
import { GgufBackend } from './gguf-backend.js';

const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models');

describeBackendContract({
  name: 'GgufBackend (stories260K)',
  createBackend: () => new GgufBackend(),
  model: { id: 'stories', format: 'gguf', path: path.join(MODELS, 'stories260K.gguf') },
  loadOptions: { parallel: 2, maxQueue: 1, threads: 1 },
});
