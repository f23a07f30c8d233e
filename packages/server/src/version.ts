import { createRequire } from 'node:module';

/** The server package's version. */
export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
