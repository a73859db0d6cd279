// Holds real responses to the OpenAPI document: finds the schema the document declares
// for an operation and status, and validates a body against it with ajv (JSON Schema
// 2020-12, the dialect of OpenAPI 3.1). An undocumented status is a failure too.
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// Both packages are CommonJS with a `default` export; under NodeNext the default import
// is `module.exports`, which carries the real export both as itself and as `.default`.
type Ajv2020Class = typeof Ajv2020Module.default;
type FormatsPlugin = typeof addFormatsModule.default;
const Ajv2020 = ((Ajv2020Module as { default?: Ajv2020Class }).default ?? Ajv2020Module) as Ajv2020Class;
const addFormats = ((addFormatsModule as { default?: FormatsPlugin }).default ?? addFormatsModule) as FormatsPlugin;

// Keywords of an OpenAPI document (and of the OAS base dialect) that are not JSON Schema:
// declared so that ajv's strict mode still catches typos inside the schemas themselves.
const OPENAPI_KEYWORDS = [
  'openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags',
  'externalDocs', 'discriminator', 'xml', 'example',
];
const DOC_ID = 'openapi.json';

export interface ResponseValidator {
  assertValid(method: string, pathTemplate: string, status: number, body: unknown): void;
}

type Node = Record<string, unknown>;

/** An ajv (strict, 2020-12, with formats) holding the document as `openapi.json`. */
export function createDocumentAjv(doc: object): InstanceType<Ajv2020Class> {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  ajv.addVocabulary(OPENAPI_KEYWORDS);
  ajv.addSchema(doc, DOC_ID);
  return ajv;
}

export function createResponseValidator(doc: object): ResponseValidator {
  const ajv = createDocumentAjv(doc);

  return {
    assertValid(method, pathTemplate, status, body) {
      const where = `${method.toUpperCase()} ${pathTemplate} ${status}`;
      const opPointer = ['paths', pathTemplate, method.toLowerCase()];
      const operation = at(doc, opPointer);
      if (!isNode(operation)) throw new Error(`${where}: the document has no such operation`);
      const found = resolve(doc, [...opPointer, 'responses', String(status)]);
      if (!found) throw new Error(`${where}: status ${status} is not documented for this operation`);

      const content = found.node.content;
      if (content === undefined) {
        if (isEmpty(body)) return;
        throw new Error(`${where}: the document declares no content, but the body is ${JSON.stringify(body)} ` +
          '(for an empty response pass the raw text, e.g. supertest res.text, not res.body)');
      }
      if (!isNode(content) || !isNode(content['application/json'])) {
        throw new Error(`${where}: the document declares no application/json content`);
      }
      const schemaPointer = [...found.pointer, 'content', 'application/json', 'schema'];
      const validate = ajv.getSchema(`${DOC_ID}#${toUriFragment(schemaPointer)}`);
      if (!validate) throw new Error(`${where}: no schema at ${schemaPointer.join('/')}`);
      if (!validate(body)) {
        const problems = (validate.errors ?? []).map((e) => `  body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
        throw new Error(`${where}: the body does not match the document:\n${problems.join('\n')}\n` +
          `body: ${JSON.stringify(body)}`);
      }
    },
  };
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEmpty(body: unknown): boolean {
  return body === undefined || body === null || body === '' || (body instanceof Uint8Array && body.length === 0);
}

function at(doc: object, pointer: string[]): unknown {
  let node: unknown = doc;
  for (const part of pointer) {
    if (!isNode(node) || !Object.hasOwn(node, part)) return undefined;
    node = node[part];
  }
  return node;
}

// Follows local `$ref`s (as a response object may be one) to the node and its real pointer;
// ajv cannot do this itself, since it does not follow a $ref in the middle of a JSON pointer.
function resolve(doc: object, pointer: string[], seen = new Set<string>()): { node: Node; pointer: string[] } | undefined {
  const node = at(doc, pointer);
  if (!isNode(node)) return undefined;
  if (typeof node.$ref !== 'string') return { node, pointer };
  if (!node.$ref.startsWith('#/') || seen.has(node.$ref)) throw new Error(`unresolvable $ref ${node.$ref}`);
  seen.add(node.$ref);
  return resolve(doc, fromUriFragment(node.$ref.slice(1)), seen);
}

// A JSON pointer inside a URI fragment: `~` and `/` escaped per RFC 6901, then
// percent-encoded (path templates hold `{` and `}`, which a URI may not). ajv
// reverses both (decodeURIComponent, then unescaping) when it resolves the fragment.
function toUriFragment(pointer: string[]): string {
  return pointer.map((part) => '/' + encodeURIComponent(part.replace(/~/g, '~0').replace(/\//g, '~1'))).join('');
}

function fromUriFragment(fragment: string): string[] {
  return fragment.split('/').slice(1).map((part) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~'));
}
