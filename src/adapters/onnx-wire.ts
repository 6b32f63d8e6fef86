// The protobuf wire format of ONNX models, through protobufjs's reader: a message as its fields, in order, each with
// its bytes as they are in the message (so that a field nobody reads is copied as it is).
import protobuf from 'protobufjs/minimal.js';

export const { Reader, Writer } = protobuf;

export interface Field {
  field: number;
  /** The field's bytes as they are in the message: key and value. */
  raw: Uint8Array;
  /** A length-delimited field's value; a varint's value. */
  bytes?: Uint8Array;
  varint?: number;
}

/** The fields of a message, in order. */
export function fieldsOf(message: Uint8Array): Field[] {
  const reader = Reader.create(message);
  const fields: Field[] = [];
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const key = reader.uint32();
    const [field, wire] = [key >>> 3, key & 7];
    const found: Field = { field, raw: message };
    if (wire === 2) found.bytes = reader.bytes();
    else if (wire === 0) found.varint = Number(reader.int64());
    else reader.skipType(wire);
    found.raw = message.subarray(start, reader.pos);
    fields.push(found);
  }
  return fields;
}

export const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
export const strings = (fields: Field[], field: number) =>
  fields.filter((f) => f.field === field).map((f) => text(f.bytes));
export const first = (fields: Field[], field: number) => fields.find((f) => f.field === field);

/** A repeated int64 field, packed or not. */
export function int64s(fields: Field[], field: number): number[] {
  const values: number[] = [];
  for (const f of fields.filter((g) => g.field === field)) {
    if (f.varint !== undefined) values.push(f.varint);
    else if (f.bytes) {
      const reader = Reader.create(f.bytes);
      while (reader.pos < reader.len) values.push(Number(reader.int64()));
    }
  }
  return values;
}

export const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

export const EMPTY = new Uint8Array(0);

/** An IEEE half (its 16 bits) as a number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
