export { start, type GatewayOptions, type SubgraphUrls } from './main.js';
