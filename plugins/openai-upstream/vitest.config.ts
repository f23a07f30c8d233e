import { defineConfig } from 'vitest/config';

// `npm test` in this package; the tests import the plugin's source and @llmux/core's build.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});
