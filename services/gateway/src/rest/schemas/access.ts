import { z } from '../zod.js';
import { Id } from './common.js';

/* Users, API keys, secrets and audit entries: the catalog's GraphQL types, field for field. */

export const Role = z.enum(['admin', 'writer', 'reader']);

export const ApiKey = z
  .object({
    id: Id,
    name: z.string(),
    userId: Id,
    prefix: z
      .string()
      .openapi({ description: 'What the key starts with (fluxi_<keyId>); the secret is never shown again.' }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiKey');

export const User = z
  .object({
    id: Id,
    name: z.string(),
    role: Role,
    createdAt: z.string(),
    disabledAt: z.string().nullable(),
    disabled: z.boolean(),
    hasPassword: z.boolean(),
    apiKeys: z.array(ApiKey),
  })
  .openapi('User');

export const NewApiKey = z
  .object({
    id: Id,
    name: z.string(),
    role: Role,
    prefix: z.string(),
    expiresAt: z.string().nullable(),
    key: z.string().openapi({ description: 'The plain key, shown only in this answer: fluxi_<keyId>_<secret>.' }),
  })
  .openapi('NewApiKey');

export const UserInput = z
  .strictObject({
    name: z.string(),
    role: Role,
    password: z.string().nullish().openapi({ description: 'At least 12 characters; without one: API keys only.' }),
  })
  .openapi('UserInput');

export const UserPatch = z
  .strictObject({ role: Role.nullish(), disabled: z.boolean().nullish(), password: z.string().nullish() })
  .openapi('UserPatch', { description: 'Fields left out keep their value.' });

export const ApiKeyInput = z
  .strictObject({
    userId: Id.nullish().openapi({ description: 'Whose key (admin only for another user); default: the caller.' }),
    name: z.string(),
    expiresAt: z.string().nullish().openapi({ description: 'ISO 8601, in the future; default: never expires.' }),
  })
  .openapi('ApiKeyInput');

export const Secret = z
  .object({
    id: Id,
    name: z.string(),
    scope: z.enum(['GLOBAL', 'PIPELINE']),
    pipelineId: Id.nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    lastUsedAt: z.string().nullable(),
  })
  .openapi('Secret', { description: 'A secret without its value: the value is never returned once set.' });

export const SecretInput = z
  .strictObject({
    name: z.string().openapi({ description: 'A shell identifier: the environment variable jobs listing it get.' }),
    value: z.string().openapi({ description: 'Stored encrypted, masked in what jobs print, never shown again.' }),
    pipelineId: Id.nullish().openapi({ description: 'The pipeline of a pipeline secret; absent: a global one.' }),
  })
  .openapi('SecretInput');

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;

export const AuditEntry = z
  .object({
    id: Id,
    at: z.string(),
    userId: Id.nullable(),
    userName: z.string().nullable(),
    keyId: Id.nullable(),
    action: z
      .string()
      .openapi({ description: 'A mutation name (createJob), auth.login, auth.key_refused, secret.access …' }),
    target: z.string().nullable(),
    outcome: z.enum(AUDIT_OUTCOMES),
    details: z.string().openapi({ description: 'JSON object: non-sensitive arguments, the error of a failure.' }),
    address: z.string().nullable(),
  })
  .openapi('AuditEntry');
