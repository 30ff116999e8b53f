import { FluxiError } from '@fluxi/common';
import { expect } from 'vitest';

/** Awaits `promise`, expects it to reject with a FluxiError, and returns it. */
export async function fluxiError(promise: Promise<unknown>): Promise<FluxiError> {
  const error = await promise.then(
    () => undefined,
    (cause: unknown) => cause,
  );
  expect(error).toBeInstanceOf(FluxiError);
  return error as FluxiError;
}
