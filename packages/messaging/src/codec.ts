import { fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { ContractVersion } from '@fluxi/contracts';

/** Encodes a contract message for the wire. */
export function encode<D extends DescMessage>(schema: D, message: MessageShape<D>): Uint8Array {
  return toBinary(schema, message);
}

/**
 * Decodes a contract message and refuses one written against a contract version
 * this build does not know (messages without a version field pass).
 */
export function decode<D extends DescMessage>(schema: D, data: Uint8Array): MessageShape<D> {
  const message = fromBinary(schema, data);
  const version = (message as { version?: unknown }).version;
  if (version !== undefined && version !== ContractVersion.CONTRACT_VERSION_1) {
    throw new Error(`${schema.typeName}: unsupported contract version ${String(version)}`);
  }
  return message;
}
