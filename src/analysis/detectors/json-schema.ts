// A small JSON-Schema validator for the subset tool declarations actually use: type (incl. a list of
// types and OpenAPI's nullable), enum, const, required, properties, additionalProperties (false or a
// schema), items (a schema or a tuple), anyOf/oneOf/allOf. Anything else ($ref, pattern, format,
// bounds, ...) is ignored, so unknown keywords can only make it more permissive, never raise a false
// violation. `pattern` is skipped on purpose: compiling user-supplied regexes on the ingest path
// invites catastrophic backtracking. No dependency: ajv would compile (and cache) every tool schema
// seen at ingest, which costs more than it saves for this subset.

export interface SchemaIssue {
  /** JSON-pointer-like path of the offending value, '' for the root. */
  path: string;
  message: string;
}

const MAX_DEPTH = 32;

export function validateJsonSchema(schema: unknown, value: unknown, maxIssues = 3): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  check(schema, value, '', 0, issues, maxIssues);
  return issues;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v; // string | boolean | object
}

function typeMatches(expected: string, actual: string): boolean {
  return expected === actual || (expected === 'number' && actual === 'integer');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = Array.isArray(v) ? '[…]' : typeof v === 'object' ? '{…}' : String(v); // too deep to print
  }
  return s.length > 40 ? s.slice(0, 39) + '…' : s;
}

function deepEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (depth > MAX_DEPTH || typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1)) return false;
  return true;
}

function check(schema: unknown, value: unknown, path: string, depth: number, issues: SchemaIssue[], max: number): void {
  if (issues.length >= max || depth > MAX_DEPTH) return;
  if (schema === false) {
    issues.push({ path, message: 'no value is allowed here' });
    return;
  }
  if (!isPlainObject(schema)) return; // `true`, or not a schema at all: accept

  const actual = jsonType(value);
  const t = schema.type;
  if (typeof t === 'string' || Array.isArray(t)) {
    // Gemini / OpenAPI-3 schemas (Google ADK, Vertex) spell types in upper case: OBJECT, STRING.
    const types = (typeof t === 'string' ? [t] : t.filter((x): x is string => typeof x === 'string')).map((x) => x.toLowerCase());
    const nullable = schema.nullable === true && actual === 'null';
    if (types.length > 0 && !nullable && !types.some((x) => typeMatches(x, actual))) {
      issues.push({ path, message: `expected ${types.join(' or ')}, got ${actual}` });
      return; // the other keywords would only repeat the same mistake
    }
  }

  if (Array.isArray(schema.enum) && !schema.enum.some((e) => deepEqual(e, value))) {
    issues.push({ path, message: `${describe(value)} is not one of ${describe(schema.enum)}` });
  }
  if ('const' in schema && !deepEqual(schema.const, value)) {
    issues.push({ path, message: `expected ${describe(schema.const)}` });
  }

  if (Array.isArray(schema.allOf)) for (const s of schema.allOf) check(s, value, path, depth + 1, issues, max);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key];
    // oneOf is checked like anyOf: telling "two branches match" apart is rarely what broke a tool call.
    if (Array.isArray(branches) && branches.length > 0 && !branches.some((s) => validateJsonSchema(s, value, 1).length === 0)) {
      issues.push({ path, message: `matches none of the ${key} alternatives` });
    }
  }

  if (isPlainObject(value)) checkObject(schema, value, path, depth, issues, max);
  else if (Array.isArray(value)) checkArray(schema, value, path, depth, issues, max);
}

function checkObject(schema: Record<string, unknown>, value: Record<string, unknown>, path: string, depth: number, issues: SchemaIssue[], max: number): void {
  if (Array.isArray(schema.required)) {
    for (const k of schema.required) {
      if (typeof k === 'string' && !Object.hasOwn(value, k)) {
        issues.push({ path, message: `missing required property "${k}"` });
        if (issues.length >= max) return;
      }
    }
  }
  const props = isPlainObject(schema.properties) ? schema.properties : null;
  const additional = schema.additionalProperties;
  for (const k of Object.keys(value)) {
    if (issues.length >= max) return;
    const sub = props && Object.hasOwn(props, k) ? props[k] : undefined;
    if (sub !== undefined) check(sub, value[k], `${path}/${k}`, depth + 1, issues, max);
    else if (additional === false) issues.push({ path, message: `unexpected property "${k}"` });
    else if (isPlainObject(additional)) check(additional, value[k], `${path}/${k}`, depth + 1, issues, max);
  }
}

function checkArray(schema: Record<string, unknown>, value: unknown[], path: string, depth: number, issues: SchemaIssue[], max: number): void {
  const items = schema.items;
  // Tuple form (draft-04..2019 `items: [...]`, 2020-12 `prefixItems`): positional schemas.
  const tuple = Array.isArray(items) ? items : Array.isArray(schema.prefixItems) ? schema.prefixItems : null;
  for (let i = 0; i < value.length && issues.length < max; i++) {
    const sub = tuple ? tuple[i] : items;
    if (sub !== undefined) check(sub, value[i], `${path}/${i}`, depth + 1, issues, max);
  }
}
