import { type Options, Packr, Unpackr } from "msgpackr";

// Both ends use these exact options: plain arrays and maps, no records or shared structures
// (flat arrays measured as small as records; see the envelope benchmark), undefined as nil,
// and 64-bit integers from other encoders read as numbers rather than BigInts.
const OPTIONS: Options = {
  useRecords: false,
  mapsAsObjects: true,
  encodeUndefinedAsNil: true,
  int64AsType: "number",
};

export const packr = new Packr(OPTIONS);
export const unpackr = new Unpackr(OPTIONS);
