import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import express, { type Express } from 'express';
import { openApiDocument } from './openapi.js';

const SWAGGER_UI = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Fluxi REST API</title>
    <link rel="stylesheet" href="./swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="./swagger-ui-bundle.js"></script>
    <script src="./swagger-ui-standalone-preset.js"></script>
    <script src="./fluxi-init.js"></script>
  </body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
`;

/**
 * The OpenAPI document at GET /api/openapi.json and Swagger UI at /api/docs (from the
 * swagger-ui-dist package, served from this process: no CDN). Both need no API key; Swagger UI's
 * Authorize button takes one for trying operations.
 */
export function mountDocs(http: Express): void {
  const document = JSON.stringify(openApiDocument());
  http.get('/api/openapi.json', (_req, res) => {
    res.type('application/json').send(document);
  });
  http.get('/api/docs', (req, res, next) => {
    if (!req.originalUrl.split('?')[0]?.endsWith('/')) {
      res.redirect(301, '/api/docs/');
      return;
    }
    next();
  });
  http.get('/api/docs/', (_req, res) => {
    res.type('text/html').send(PAGE);
  });
  http.get('/api/docs/fluxi-init.js', (_req, res) => {
    res.type('text/javascript').send(INIT);
  });
  http.use('/api/docs', express.static(SWAGGER_UI, { index: false, fallthrough: true }));
}
