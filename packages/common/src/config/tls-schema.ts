import { z } from 'zod';

const file = z.string().min(1);

/** PEM files for a TLS connection to a server: its CA, and a client certificate with its key. */
export const tlsFilesSchema = z
  .object({
    /** PEM file of the CA that signed the server's certificate (else the system's CAs). */
    caFile: file.optional(),
    /** PEM files of this client's certificate and key, for a server that verifies clients. */
    certFile: file.optional(),
    keyFile: file.optional(),
  })
  .strict()
  .refine((tls) => (tls.certFile === undefined) === (tls.keyFile === undefined), {
    message: 'certFile and keyFile go together: a client certificate needs its key',
  });

export type TlsFiles = z.infer<typeof tlsFilesSchema>;
