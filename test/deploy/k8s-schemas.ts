import { join } from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { ROOT } from './tools.js';

/*
 * Kubernetes manifests checked offline against the API's schemas, as the API server would with
 * strict field validation:
 * - types, required fields, formats (int32, quantities…): each kind's validator from the
 *   `kubernetes-models` package (compiled from Kubernetes' OpenAPI document) or, for KEDA's
 *   kinds, from `@kubernetes-models/keda` (compiled from KEDA's release CRDs);
 * - unknown fields, which those JSON schemas allow: each document type-checked by TypeScript
 *   against the same packages' declared types (an object literal may only name known properties).
 */

/** One object of a manifest file. */
export interface Manifest {
  file: string;
  index: number;
  doc: { apiVersion: string; kind: string; metadata?: { name?: string } } & Record<string, unknown>;
}

/** The npm package holding each API group's models; core and built-in groups are in kubernetes-models. */
const CRD_PACKAGES: Record<string, string> = { 'keda.sh': '@kubernetes-models/keda' };

/** Import path of the model of `apiVersion`/`kind` (`apps/v1` → kubernetes-models/apps/v1/Deployment). */
export function modelPath(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (
    !/^[a-z0-9.-]*$/.test(group as string) ||
    !/^v\d+[a-z0-9]*$/.test(version as string) ||
    !/^[A-Z]\w+$/.test(kind)
  ) {
    throw new Error(`not a Kubernetes apiVersion/kind: ${apiVersion} ${kind}`);
  }
  if (group === '') return `kubernetes-models/${version}/${kind}`;
  return `${CRD_PACKAGES[group as string] ?? 'kubernetes-models'}/${group}/${version}/${kind}`;
}

/** Every document of a YAML manifest file (`text`), with a YAML error refused. */
export function readManifests(file: string, text: string): Manifest[] {
  return parseAllDocuments(text).flatMap((document, index) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
    const doc = document.toJS() as Manifest['doc'] | null;
    return doc === null ? [] : [{ file, index, doc }];
  });
}

const describeManifest = ({ file, index, doc }: Manifest) =>
  `${file} #${index + 1} (${doc.kind} ${doc.metadata?.name ?? '?'})`;

/** The schema errors of each manifest, by its validator (types, required, formats). */
export async function schemaErrors(manifests: readonly Manifest[]): Promise<string[]> {
  const errors: string[] = [];
  for (const manifest of manifests) {
    const { apiVersion, kind } = manifest.doc;
    let model: new (data: unknown) => { validate(): void };
    try {
      model = ((await import(modelPath(apiVersion, kind))) as Record<string, typeof model>)[kind] as typeof model;
    } catch {
      errors.push(`${describeManifest(manifest)}: no schema for ${apiVersion} ${kind}`);
      continue;
    }
    try {
      new model(manifest.doc).validate();
    } catch (error) {
      errors.push(`${describeManifest(manifest)}: ${(error as Error).message}`);
    }
  }
  return errors;
}

/** The unknown (or mistyped) fields of each manifest, by TypeScript against the models' declared types. */
export function typeErrors(manifests: readonly Manifest[]): string[] {
  // A file that is never written: it sits in the repository only so that its imports resolve.
  const file = join(ROOT, 'test/deploy/.manifests-check.ts');
  const lines: string[] = [];
  const starts: { line: number; manifest: Manifest }[] = [];
  manifests.forEach((manifest, i) => {
    lines.push(
      `import type { I${manifest.doc.kind} as T${i} } from '${modelPath(manifest.doc.apiVersion, manifest.doc.kind)}';`,
    );
  });
  manifests.forEach((manifest, i) => {
    starts.push({ line: lines.length, manifest });
    lines.push(...`export const doc${i}: T${i} = ${JSON.stringify(manifest.doc, null, 2)};`.split('\n'));
  });
  const source = ts.createSourceFile(file, lines.join('\n'), ts.ScriptTarget.ES2022, true);
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists } = host;
  host.getSourceFile = (name, ...rest) => (name === file ? source : getSourceFile.call(host, name, ...rest));
  host.fileExists = (name) => name === file || fileExists.call(host, name);
  const diagnostics = ts.getPreEmitDiagnostics(ts.createProgram([file], options, host));
  return diagnostics.map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (diagnostic.file !== source || diagnostic.start === undefined) return message;
    const { line } = source.getLineAndCharacterOfPosition(diagnostic.start);
    const at = starts.findLast((start) => start.line <= line);
    return at === undefined ? message : `${describeManifest(at.manifest)}: ${message}`;
  });
}
