export { WEBHOOK_MAX_BODY_BYTES, ZERO_COMMIT } from './limits.js';
export { signGitHubBody, verifyGitHubSignature, verifyGitLabToken, type SignatureCheck } from './signature.js';
export { repositoryKey, sameRepository } from '@fluxi/common';
export { matchFilters, matchGlobs, type FilterDecision, type WebhookFilters } from './filters.js';
export { parseGitHubDelivery } from './github.js';
export { parseGitLabDelivery } from './gitlab.js';
export type * from './types.js';
