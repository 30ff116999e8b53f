export { start, type CatalogService } from './main.js';
