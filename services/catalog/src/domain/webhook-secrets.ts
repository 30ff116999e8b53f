import { decryptSecret, encryptSecret } from '@fluxi/common';

/**
 * Seals and opens pipelines' webhook secrets with the installation's key (AES-256-GCM, `v1:` values,
 * see `@fluxi/common` secret-box). The pipeline id is bound as associated data: a sealed value copied
 * to another pipeline's row does not open there. Only the catalog holds the key.
 */
export class WebhookSecrets {
  constructor(private readonly key: Buffer) {}

  seal(secret: string, pipelineId: string): string {
    return encryptSecret(secret, this.key, context(pipelineId));
  }

  /** Throws SecretBoxError when the value was sealed with another key or for another pipeline. */
  open(sealed: string, pipelineId: string): string {
    return decryptSecret(sealed, this.key, context(pipelineId));
  }
}

const context = (pipelineId: string): string => `pipeline:${pipelineId}:webhook-secret`;
