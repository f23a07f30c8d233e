import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeBackendContract } from '@llmux/core/testing';
// The built package: the engine worker runs from dist/.
import { MlxBackend } from '@llmux/backend-mlx';

const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models');

describeBackendContract({
  name: 'MlxBackend (brown-llama-1m-mlx)',
  createBackend: () => new MlxBackend(),
  model: { id: 'brown', format: 'mlx', path: path.join(MODELS, 'brown-llama-1m-mlx') },
  loadOptions: { parallel: 2, maxQueue: 1 },
});
