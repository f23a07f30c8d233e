export { DirectRouter } from './direct-router.js';
