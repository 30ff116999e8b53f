import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// Gives every zod schema `.openapi(...)`: the REST handlers validate with these schemas and the
// OpenAPI document is generated from them.
extendZodWithOpenApi(z);

export { z };
