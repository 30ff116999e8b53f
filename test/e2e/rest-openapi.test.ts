import { describe, expect, it } from 'vitest';
import { client } from './client.js';
import type { Json } from './rest-client.js';
import { committed, startRestFluxi } from './rest-fixture.js';

/**
 * The OpenAPI document of the REST API served as committed, Swagger UI, and the document's
 * input schemas against the GraphQL input types. The /api/v1 endpoints: rest-api.test.ts.
 */

const fluxi = startRestFluxi();

describe('the OpenAPI document and Swagger UI', () => {
  it('serves the committed document at /api/openapi.json without a key', async () => {
    const response = await fetch(`${fluxi.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual(committed);
    expect(committed.openapi).toBe('3.1.0');
    for (const path of ['/jobs', '/jobs/{id}', '/jobs/{id}/run', '/jobs/{id}/copy', '/job-runs/{id}/logs/stream']) {
      expect(committed.paths[path], path).toBeDefined();
    }
  });

  it('serves Swagger UI from the package, without a key', async () => {
    const redirect = await fetch(`${fluxi.url}/api/docs`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    const page = await fetch(`${fluxi.url}/api/docs/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('swagger-ui-bundle.js');
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'fluxi-init.js']) {
      const response = await fetch(`${fluxi.url}/api/docs/${asset}`);
      expect(response.status, asset).toBe(200);
    }
    expect(await (await fetch(`${fluxi.url}/api/docs/fluxi-init.js`)).text()).toContain('/api/openapi.json');
  });

  it('has the same input fields as the GraphQL input types the operations take', async () => {
    const gql = client(fluxi.url, fluxi.adminKey);
    const pairs: Array<[string, string]> = [
      ['JobInput', 'CreateJobInput'],
      ['JobPatch', 'UpdateJobInput'],
      ['PipelineInput', 'PipelineInput'],
      ['ScheduleInput', 'CreateScheduleInput'],
      ['SchedulePatch', 'UpdateScheduleInput'],
      ['StageEntryInput', 'StageEntryInput'],
      ['RetryPolicyInput', 'RetryPolicyInput'],
      ['DockerOptionsInput', 'DockerOptionsInput'],
      ['GitSourceInput', 'GitSourceInput'],
      ['UserInput', 'CreateUserInput'],
      ['UserPatch', 'UpdateUserInput'],
      ['ApiKeyInput', 'CreateApiKeyInput'],
      ['SecretInput', 'SetSecretInput'],
      ['EnvVarInput', 'EnvVarInput'],
      ['NotificationSubscriptionInput', 'CreateNotificationSubscriptionInput'],
      ['NotificationSubscriptionPatch', 'UpdateNotificationSubscriptionInput'],
    ];
    for (const [rest, graphql] of pairs) {
      const type = await gql.request<Json>('query ($name: String!) { __type(name: $name) { inputFields { name } } }', {
        name: graphql,
      });
      const fields = (type.__type.inputFields as Json[]).map((field) => field.name as string).sort();
      const schema = committed.components.schemas[rest] as Json;
      const properties = schema.properties ?? schema.anyOf?.find((item: Json) => item.properties)?.properties;
      expect(Object.keys(properties as Json).sort(), `${rest} vs ${graphql}`).toEqual(fields);
    }
  });
});
