import { isFluxiError, type Logger } from '@fluxi/common';
import { create, ErrorDetailSchema, type ErrorDetail } from '@fluxi/contracts';

/** Domain errors become an ErrorDetail answer; anything else is logged and answered as INTERNAL. */
export function errorDetail(error: unknown, logger: Logger, subject: string): ErrorDetail {
  if (isFluxiError(error))
    return create(ErrorDetailSchema, { code: error.code, message: error.message, field: error.field ?? '' });
  logger.error({ err: error, subject }, 'catalog request failed');
  return create(ErrorDetailSchema, { code: 'INTERNAL', message: 'internal error' });
}
