export { start, SERVICE_NAME } from './main.js';
