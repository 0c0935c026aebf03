import { Wire } from "./fields.js";
import type { EntityBase, EntityTypeDef } from "./schema.js";

const NO_STRINGS: string[] = [];

/**
 * The runtime shape behind every store entity. Field accessors live on a per-type
 * subclass prototype; values live in one Float64Array laid out as
 * `[current | committed | previous]`, `fieldCount` slots each:
 * - current: what the game last wrote (quantized); the getters read it.
 * - committed: the state as of the last commit; what encoders send.
 * - previous: for fields changed in the entity's last committed change
 *   (`changedTick`), the committed value before it, so a keep-up delta can send the
 *   difference.
 * String fields keep `[current | committed]` in `strings` instead.
 * Underscored names are internal; field names may not start with `_`.
 */
export class EntityRecord {
  readonly id: number;
  readonly type: string;
  readonly typeId: number;
  alive = true;
  spawnTick: number;
  readonly _def: EntityTypeDef;
  readonly _values: Float64Array;
  readonly _strings: string[];
  /** Fields whose current value differs from the committed one. */
  _mask = 0;
  /** True while listed in the store's dirty list (or not yet committed, which never lists). */
  _dirty = true;
  /** Mask of the last committed change and its tick. */
  _changedMask = 0;
  _changedTick = -1;
  readonly _dirtyList: EntityRecord[];

  constructor(def: EntityTypeDef, id: number, spawnTick: number, dirtyList: EntityRecord[]) {
    this.id = id;
    this.type = def.name;
    this.typeId = def.typeId;
    this.spawnTick = spawnTick;
    this._def = def;
    this._dirtyList = dirtyList;
    const count = def.fields.length;
    this._values = new Float64Array(count * 3);
    this._strings = def.hasStrings ? new Array<string>(count * 2).fill("") : NO_STRINGS;
    for (const field of def.fields) {
      if (field.wire === Wire.STRING) this._strings[field.index] = field.initial as string;
      else this._values[field.index] = field.initial as number;
    }
  }

  _setNumber(index: number, q: number): void {
    const values = this._values;
    if (values[index] === q) return;
    values[index] = q;
    this._flag(index, values[this._def.fields.length + index] !== q);
  }

  _setString(index: number, value: string): void {
    const strings = this._strings;
    if (strings[index] === value) return;
    strings[index] = value;
    this._flag(index, strings[this._def.fields.length + index] !== value);
  }

  /** Marks the field when it differs from the committed value and unmarks it when it is back. */
  private _flag(index: number, differs: boolean): void {
    const bit = this._def.fields[index].bit;
    this._mask = differs ? (this._mask | bit) >>> 0 : (this._mask & ~bit) >>> 0;
    if (this._mask !== 0 && !this._dirty && this.alive) {
      this._dirty = true;
      this._dirtyList.push(this);
    }
  }

  /** Commits a newly spawned entity: every field as written so far. */
  _commitSpawn(): void {
    const count = this._def.fields.length;
    const values = this._values;
    values.copyWithin(count, 0, count);
    values.copyWithin(count * 2, 0, count);
    if (this._strings !== NO_STRINGS) this._strings.copyWithin(count, 0, count);
    this._mask = 0;
    this._dirty = false;
  }

  /** Commits the marked fields as the change of `tick`; returns the committed mask. */
  _commitChanges(tick: number): number {
    const mask = this._mask;
    this._dirty = false;
    if (mask === 0) return 0;
    const fields = this._def.fields;
    const count = fields.length;
    const values = this._values;
    for (let rest = mask; rest !== 0; rest &= rest - 1) {
      const index = 31 - Math.clz32(rest & -rest);
      if (fields[index].wire === Wire.STRING) {
        this._strings[count + index] = this._strings[index];
      } else {
        values[count * 2 + index] = values[count + index];
        values[count + index] = values[index];
      }
    }
    this._changedMask = mask;
    this._changedTick = tick;
    this._mask = 0;
    return mask;
  }
}

/** The runtime record behind a public entity type. */
export function asRecord(entity: EntityBase): EntityRecord {
  return entity as unknown as EntityRecord;
}

type EntityClass = new (def: EntityTypeDef, id: number, spawnTick: number, dirtyList: EntityRecord[]) => EntityRecord;

const classes = new WeakMap<EntityTypeDef, EntityClass>();

/** One class per entity type, with a getter/setter pair per field on its prototype. */
export function entityClassFor(def: EntityTypeDef): EntityClass {
  let cls = classes.get(def);
  if (cls !== undefined) return cls;
  cls = class extends EntityRecord {};
  Object.defineProperty(cls, "name", { value: `Entity_${def.name}` });
  for (const field of def.fields) {
    const { index, quantize, dequantize } = field;
    const accessor: PropertyDescriptor =
      field.wire === Wire.STRING
        ? {
            get(this: EntityRecord) {
              return this._strings[index];
            },
            set(this: EntityRecord, value: unknown) {
              this._setString(index, quantize(value) as string);
            },
          }
        : {
            get(this: EntityRecord) {
              return dequantize(this._values[index]);
            },
            set(this: EntityRecord, value: unknown) {
              this._setNumber(index, quantize(value) as number);
            },
          };
    Object.defineProperty(cls.prototype, field.name, { ...accessor, enumerable: true, configurable: false });
  }
  classes.set(def, cls);
  return cls;
}
