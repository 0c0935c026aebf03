import { createFieldDef, type FieldDef, type FieldType, type FieldValue } from "./fields.js";

/** Change masks are unsigned 32-bit numbers: one bit per field. */
export const MAX_FIELDS_PER_TYPE = 32;
/** Names an entity already answers to, so a field may not take them. */
const RESERVED_FIELD_NAMES = new Set(["id", "type", "typeId", "alive", "spawnTick", "constructor"]);
/** Identifiers only; a leading underscore is left to the entity's internal slots. */
const FIELD_NAME = /^[A-Za-z$][A-Za-z0-9_$]*$/;

export type SchemaDefinition = Record<string, Record<string, FieldType>>;

/** One entity type of a schema, laid out for the store, the codec and the mirror. */
export interface EntityTypeDef {
  readonly name: string;
  /** Declaration order; what travels on the wire. */
  readonly typeId: number;
  readonly fields: readonly FieldDef[];
  readonly fieldIndex: ReadonlyMap<string, number>;
  /** Mask with a bit set for every field: a decoder rejects anything outside it. */
  readonly fullMask: number;
  /**
   * Mask of the fixed (quantized) fields. A moving entity changes exactly these every
   * tick, so an update with this mask is coded in the id's low bit instead of a mask byte.
   */
  readonly fixedMask: number;
  readonly hasStrings: boolean;
}

export class Schema<D extends SchemaDefinition = SchemaDefinition> {
  readonly types: readonly EntityTypeDef[];
  private readonly byName: ReadonlyMap<string, EntityTypeDef>;

  constructor(readonly definition: D) {
    const types: EntityTypeDef[] = [];
    for (const [name, fieldTypes] of Object.entries(definition)) {
      types.push(defineType(name, types.length, fieldTypes));
    }
    this.types = types;
    this.byName = new Map(types.map((type) => [type.name, type]));
  }

  /** The type named `name`; throws for a name the schema does not declare. */
  type(name: string): EntityTypeDef {
    const type = this.byName.get(name);
    if (type === undefined) throw new TypeError(`unknown entity type "${name}"`);
    return type;
  }
}

function defineType(name: string, typeId: number, fieldTypes: Record<string, FieldType>): EntityTypeDef {
  const names = Object.keys(fieldTypes);
  if (names.length > MAX_FIELDS_PER_TYPE) {
    throw new TypeError(`entity type "${name}" has ${names.length} fields; at most ${MAX_FIELDS_PER_TYPE} fit a change mask`);
  }
  const fields = names.map((field, index) => {
    if (RESERVED_FIELD_NAMES.has(field)) throw new TypeError(`entity type "${name}": field name "${field}" is reserved`);
    if (!FIELD_NAME.test(field)) {
      throw new TypeError(`entity type "${name}": field name "${field}" must be an identifier not starting with "_"`);
    }
    return createFieldDef(field, index, fieldTypes[field]);
  });
  return {
    name,
    typeId,
    fields,
    fieldIndex: new Map(names.map((field, index) => [field, index])),
    fullMask: fields.length === 0 ? 0 : 2 ** fields.length - 1,
    fixedMask: fields.reduce((mask, field) => (field.type.kind === "fixed" ? (mask | field.bit) >>> 0 : mask), 0),
    hasStrings: fields.some((field) => field.type.kind === "string"),
  };
}

/**
 * Any schema, for code that works with every game's store or mirror: a plain
 * `EntityStore` (= `EntityStore<AnySchema>`) accepts a store of any specific schema,
 * which `EntityStore<Schema>` would not (type names are a `keyof`, so the parameter is
 * invariant).
 */
// biome-ignore lint/suspicious/noExplicitAny: `any` is what makes every Schema<D> fit.
export type AnySchema = Schema<any>;

/**
 * Declares a game's entity types. Type ids follow declaration order and field bits
 * follow each type's field order, so both ends must build the schema from the same code.
 */
export function defineSchema<const D extends SchemaDefinition>(types: D): Schema<D> {
  return new Schema(types);
}

/** Entity type names of a schema. */
export type TypeName<S extends Schema> = keyof S["definition"] & string;

/** The typed field values of entity type `K`. */
export type Fields<S extends Schema, K extends TypeName<S>> = {
  -readonly [F in keyof S["definition"][K]]: FieldValue<S["definition"][K][F]>;
};

/**
 * What every entity answers to besides its fields. (A type alias, not an interface, so
 * an entity of a specific schema is assignable to `Entity<Schema>`.)
 */
export type EntityBase<K extends string = string> = {
  readonly id: number;
  readonly type: K;
  readonly typeId: number;
  /** False once despawned: writes to it are kept locally and never sent. */
  readonly alive: boolean;
  /** The tick whose commit brings it into the world. */
  readonly spawnTick: number;
};

/** A live entity of type `K` (a union over every type when `K` is omitted). */
export type Entity<S extends Schema, K extends TypeName<S> = TypeName<S>> = {
  [P in K]: EntityBase<P> & Fields<S, P>;
}[K];
