// Reads Arrow IPC files with the JavaScript Arrow implementation and prints, as one JSON object,
// each file's format, schema (name, type, nullable) and rows, so a Java test can compare them.
// Usage: node read-arrow.mjs FILE...  (apache-arrow must resolve from this script's directory)
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';

const MAGIC = 'ARROW1';

function isFileFormat(bytes) {
  // The file format, unlike the stream format, starts and ends with the magic.
  const text = (from, to) => Buffer.from(bytes.subarray(from, to)).toString('latin1');
  return text(0, MAGIC.length) === MAGIC && text(bytes.length - MAGIC.length, bytes.length) === MAGIC;
}

function plain(value) {
  // List cells come back as Arrow vectors; JSON wants arrays.
  return value !== null && typeof value === 'object' && typeof value.toArray === 'function'
    ? Array.from(value.toArray())
    : value;
}

const files = process.argv.slice(2).map((path) => {
  const bytes = readFileSync(path);
  const table = tableFromIPC(bytes);
  const fields = table.schema.fields;
  const rows = [];
  for (let i = 0; i < table.numRows; i++) {
    const row = {};
    for (const field of fields) {
      row[field.name] = plain(table.getChild(field.name).get(i));
    }
    rows.push(row);
  }
  return {
    path,
    fileFormat: isFileFormat(bytes),
    batches: table.batches.length,
    schema: fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable })),
    rows,
  };
});
process.stdout.write(JSON.stringify({ files }));
