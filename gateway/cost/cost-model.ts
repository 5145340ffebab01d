import {
  Kind,
  parse,
  type ConstDirectiveNode,
  type ConstValueNode,
  type DefinitionNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type InputValueDefinitionNode,
} from 'graphql';

/** List size of a field, from `@listSize` (IBM cost spec, `https://specs.apollo.dev/cost/v0.1`). */
export interface ListSizeSpec {
  /** Size assumed when no slicing argument gives one; null when the directive gives none. */
  readonly assumedSize: number | null;
  /** Arguments (or dotted paths into input objects, e.g. `filter.max`) whose value is the list size. */
  readonly slicingArguments: readonly string[];
  /** Child fields of the returned object (e.g. `nodes`, `edges` of a connection) that the size applies to. */
  readonly sizedFields: readonly string[];
  /** Whether exactly one slicing argument must be given. Kept for reference: estimates never fail on it. */
  readonly requireOneSlicingArgument: boolean;
}

/**
 * The weights and list sizes of a schema, keyed by schema coordinate:
 * - `fieldWeights`: `Type.field` → `@cost(weight)` on an object or interface field;
 * - `typeWeights`: `Type` → `@cost(weight)` on an object, scalar or enum type;
 * - `argumentWeights`: `Type.field(arg:)` → `@cost(weight)` on a field argument;
 * - `inputFieldWeights`: `Input.field` → `@cost(weight)` on an input object field;
 * - `listSizes`: `Type.field` → `@listSize(...)`;
 * - `defaultListSize`: the size of a list nothing else sizes.
 * Build one with `costModelFromSdl`; it is immutable and may be shared by any number of calls.
 */
export interface CostModel {
  readonly defaultListSize: number;
  readonly fieldWeights: ReadonlyMap<string, number>;
  readonly typeWeights: ReadonlyMap<string, number>;
  readonly argumentWeights: ReadonlyMap<string, number>;
  readonly inputFieldWeights: ReadonlyMap<string, number>;
  readonly listSizes: ReadonlyMap<string, ListSizeSpec>;
}

/** Options of `costModelFromSdl`. */
export interface CostModelOptions {
  /**
   * Size assumed for a list field that has neither a slicing argument value nor an
   * `assumedSize` (Apollo Router's `static_estimated.list_size`). Default 10.
   */
  readonly defaultListSize?: number;
}

/** Default of `CostModelOptions.defaultListSize`. */
export const DEFAULT_LIST_SIZE = 10;

const COST_SPEC = /^https:\/\/specs\.apollo\.dev\/cost\/v\d+\.\d+$/;
const FEDERATION_SPEC = /^https:\/\/specs\.apollo\.dev\/federation\/v\d+\.\d+$/;

/** The names `@cost` and `@listSize` have in one SDL document. */
interface DirectiveNames {
  readonly cost: ReadonlySet<string>;
  readonly listSize: ReadonlySet<string>;
}

/**
 * Reads `@cost` and `@listSize` from SDL documents (a supergraph as `npm run compose`
 * writes it, a subgraph, or plain SDL such as the gateway's subscriptions schema) into
 * a `CostModel`. Directive names follow each document's `@link`s, as in the link spec:
 * - a `https://specs.apollo.dev/cost/vX.Y` link (supergraphs): `@cost` is named after the
 *   link (`@cost`, or its `as:`), `@listSize` is its import name if imported, else
 *   `@<as>__listSize`;
 * - a federation link (subgraphs): the imported names, else `@federation__cost` and
 *   `@federation__listSize`;
 * - no such link: plain `@cost` and `@listSize`.
 * Definitions and extensions are both read; when two documents weigh one coordinate, the
 * later document wins. Weights may be Int, Float or numeric String values (the IBM spec
 * uses strings). Throws a GraphQL syntax error for unparsable SDL and a RangeError for a
 * `defaultListSize` that is not a non-negative integer.
 */
export function costModelFromSdl(sdls: readonly string[], options: CostModelOptions = {}): CostModel {
  const defaultListSize = options.defaultListSize ?? DEFAULT_LIST_SIZE;
  if (!Number.isInteger(defaultListSize) || defaultListSize < 0) {
    throw new RangeError(`defaultListSize must be a non-negative integer, got ${defaultListSize}`);
  }
  const model = {
    defaultListSize,
    fieldWeights: new Map<string, number>(),
    typeWeights: new Map<string, number>(),
    argumentWeights: new Map<string, number>(),
    inputFieldWeights: new Map<string, number>(),
    listSizes: new Map<string, ListSizeSpec>(),
  };
  for (const sdl of sdls) {
    const document = parse(sdl, { noLocation: true });
    const names = directiveNames(document);
    for (const definition of document.definitions) readDefinition(definition, names, model);
  }
  return model;
}

function readDefinition(
  definition: DefinitionNode,
  names: DirectiveNames,
  model: {
    fieldWeights: Map<string, number>;
    typeWeights: Map<string, number>;
    argumentWeights: Map<string, number>;
    inputFieldWeights: Map<string, number>;
    listSizes: Map<string, ListSizeSpec>;
  },
): void {
  switch (definition.kind) {
    case Kind.OBJECT_TYPE_DEFINITION:
    case Kind.OBJECT_TYPE_EXTENSION:
    case Kind.INTERFACE_TYPE_DEFINITION:
    case Kind.INTERFACE_TYPE_EXTENSION: {
      const typeName = definition.name.value;
      setWeight(model.typeWeights, typeName, definition.directives, names);
      for (const field of definition.fields ?? []) readOutputField(typeName, field, names, model);
      return;
    }
    case Kind.INPUT_OBJECT_TYPE_DEFINITION:
    case Kind.INPUT_OBJECT_TYPE_EXTENSION: {
      const typeName = definition.name.value;
      for (const field of definition.fields ?? []) {
        setWeight(model.inputFieldWeights, `${typeName}.${field.name.value}`, field.directives, names);
      }
      return;
    }
    case Kind.SCALAR_TYPE_DEFINITION:
    case Kind.SCALAR_TYPE_EXTENSION:
    case Kind.ENUM_TYPE_DEFINITION:
    case Kind.ENUM_TYPE_EXTENSION:
      setWeight(model.typeWeights, definition.name.value, definition.directives, names);
      return;
    default:
      return;
  }
}

function readOutputField(
  typeName: string,
  field: FieldDefinitionNode,
  names: DirectiveNames,
  model: { fieldWeights: Map<string, number>; argumentWeights: Map<string, number>; listSizes: Map<string, ListSizeSpec> },
): void {
  const coordinate = `${typeName}.${field.name.value}`;
  setWeight(model.fieldWeights, coordinate, field.directives, names);
  for (const argument of field.arguments ?? []) readArgument(coordinate, argument, names, model.argumentWeights);
  const listSize = field.directives?.find((d) => names.listSize.has(d.name.value));
  if (listSize) model.listSizes.set(coordinate, toListSize(listSize));
}

function readArgument(fieldCoordinate: string, argument: InputValueDefinitionNode, names: DirectiveNames, weights: Map<string, number>): void {
  setWeight(weights, `${fieldCoordinate}(${argument.name.value}:)`, argument.directives, names);
}

/** Records the `@cost` weight among `directives` under `coordinate`, if there is one. */
function setWeight(weights: Map<string, number>, coordinate: string, directives: readonly ConstDirectiveNode[] | undefined, names: DirectiveNames): void {
  const cost = directives?.find((d) => names.cost.has(d.name.value));
  if (!cost) return;
  const weight = numberOf(argumentValue(cost, 'weight'));
  if (weight !== null) weights.set(coordinate, weight);
}

function toListSize(directive: ConstDirectiveNode): ListSizeSpec {
  const assumed = numberOf(argumentValue(directive, 'assumedSize'));
  const requireOne = argumentValue(directive, 'requireOneSlicingArgument');
  return {
    assumedSize: assumed === null ? null : Math.max(0, Math.trunc(assumed)),
    slicingArguments: stringsOf(argumentValue(directive, 'slicingArguments')),
    sizedFields: stringsOf(argumentValue(directive, 'sizedFields')),
    // The directive's own default is true.
    requireOneSlicingArgument: requireOne?.kind === Kind.BOOLEAN ? requireOne.value : true,
  };
}

function argumentValue(directive: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((a) => a.name.value === name)?.value;
}

function numberOf(value: ConstValueNode | undefined): number | null {
  if (!value) return null;
  if (value.kind === Kind.INT || value.kind === Kind.FLOAT || value.kind === Kind.STRING) {
    const n = Number(value.value);
    return value.value.trim() !== '' && Number.isFinite(n) ? n : null;
  }
  return null;
}

function stringsOf(value: ConstValueNode | undefined): string[] {
  if (!value) return [];
  if (value.kind === Kind.STRING) return [value.value];
  if (value.kind !== Kind.LIST) return [];
  return value.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : []));
}

/** The names of `@cost` and `@listSize` in `document`, from its schema `@link`s. */
function directiveNames(document: DocumentNode): DirectiveNames {
  const cost = new Set<string>();
  const listSize = new Set<string>();
  let linked = false;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const url = argumentValue(link, 'url');
      if (url?.kind !== Kind.STRING) continue;
      const isCost = COST_SPEC.test(url.value);
      if (!isCost && !FEDERATION_SPEC.test(url.value)) continue;
      linked = true;
      const as = argumentValue(link, 'as');
      const prefix = as?.kind === Kind.STRING ? as.value : isCost ? 'cost' : 'federation';
      const imports = importedNames(argumentValue(link, 'import'));
      // Link spec: the directive named like the spec itself is referenced by the link's name.
      cost.add(imports.get('cost') ?? (isCost ? prefix : `${prefix}__cost`));
      listSize.add(imports.get('listSize') ?? `${prefix}__listSize`);
    }
  }
  if (!linked) {
    cost.add('cost');
    listSize.add('listSize');
  }
  return { cost, listSize };
}

/** `import: ["@a", { name: "@b", as: "@c" }]` → { a → a, b → c } (without the `@`). */
function importedNames(value: ConstValueNode | undefined): Map<string, string> {
  const names = new Map<string, string>();
  if (value?.kind !== Kind.LIST) return names;
  for (const item of value.values) {
    if (item.kind === Kind.STRING && item.value.startsWith('@')) {
      names.set(item.value.slice(1), item.value.slice(1));
    } else if (item.kind === Kind.OBJECT) {
      const name = item.fields.find((f) => f.name.value === 'name')?.value;
      const as = item.fields.find((f) => f.name.value === 'as')?.value;
      if (name?.kind === Kind.STRING && name.value.startsWith('@')) {
        names.set(name.value.slice(1), as?.kind === Kind.STRING ? as.value.replace(/^@/, '') : name.value.slice(1));
      }
    }
  }
  return names;
}
