import { SecretKeyRing } from '@fluxi/common';

/**
 * Seals and opens pipelines' webhook secrets with the installation's key ring (AES-256-GCM, `v1:`
 * values, see `@fluxi/common` secret-box): sealed with the current key, opened with it or a previous
 * one (until the re-encryption pass seals them again). The pipeline id is bound as associated data: a
 * sealed value copied to another pipeline's row does not open there. Only the catalog holds the keys.
 */
export class WebhookSecrets {
  /** The installation's keys, shared with the other sealed values of the catalog (secrets). */
  readonly keys: SecretKeyRing;

  constructor(keys: SecretKeyRing | Buffer) {
    this.keys = keys instanceof SecretKeyRing ? keys : new SecretKeyRing(keys);
  }

  seal(secret: string, pipelineId: string): string {
    return this.keys.seal(secret, webhookSealContext(pipelineId));
  }

  /** Throws SecretBoxError when no configured key sealed the value for this pipeline. */
  open(sealed: string, pipelineId: string): string {
    return this.keys.open(sealed, webhookSealContext(pipelineId)).plaintext;
  }
}

/** The associated data of a pipeline's webhook secret. */
export const webhookSealContext = (pipelineId: string): string => `pipeline:${pipelineId}:webhook-secret`;
