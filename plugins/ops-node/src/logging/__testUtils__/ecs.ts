import { Writable } from 'node:stream';
import { transports } from 'winston';

/** ECS field definitions from @elastic/ecs. */
export const { EcsFlat } = require('@elastic/ecs/build/commonjs/ecs_flat') as {
  EcsFlat: Record<
    string,
    {
      type: string;
      allowed_values?: { name: string; expected_event_types?: string[] }[];
    }
  >;
};

/** Dotted names of the leaves of an ECS document (`labels` may carry any key). */
export function fieldNames(
  doc: Record<string, unknown>,
  prefix = '',
): string[] {
  return Object.entries(doc).flatMap(([key, value]) => {
    const name = prefix + key;
    const isObject =
      value !== null && typeof value === 'object' && !Array.isArray(value);
    if (EcsFlat[name] || !isObject) return [name];
    return fieldNames(value as Record<string, unknown>, `${name}.`);
  });
}

/** The values ECS allows for a field. */
export function allowed(field: string): string[] {
  return EcsFlat[field].allowed_values!.map(v => v.name);
}

/** A winston transport that keeps the lines written, one per entry. */
export function captured() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, transport: new transports.Stream({ stream }) };
}
