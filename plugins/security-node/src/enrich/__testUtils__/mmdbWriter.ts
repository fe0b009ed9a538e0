/**
 * A minimal MaxMind DB (MMDB) writer for tests, after the MaxMind DB File
 * Format Specification v2.0: an IPv4 binary search tree of 24-bit records,
 * 16 zero bytes, a data section, then "\xAB\xCD\xEFMaxMind.com" and the
 * metadata map. Values: maps, arrays, strings, booleans, unsigned integers
 * (uint16/32/64 as bigint) and doubles. No pointers in the data section, no
 * IPv6 tree: enough to build a small GeoIP database the real reader opens.
 */

export type MmdbValue =
  | string
  | number
  | bigint
  | boolean
  | MmdbValue[]
  | { [key: string]: MmdbValue };

export interface MmdbNetwork {
  /** An IPv4 network, e.g. `203.0.113.0/24`. */
  cidr: string;
  data: MmdbValue;
}

export interface MmdbOptions {
  databaseType: string;
  description?: string;
  /** Seconds since the epoch (default 0, so builds are reproducible). */
  buildEpoch?: number;
}

const TYPE = {
  string: 2,
  double: 3,
  uint16: 5,
  uint32: 6,
  map: 7,
  uint64: 9,
  array: 11,
  boolean: 14,
} as const;

const METADATA_MARKER = Buffer.concat([
  Buffer.from([0xab, 0xcd, 0xef]),
  Buffer.from('MaxMind.com', 'ascii'),
]);

/** Control byte(s): 3 type bits (or 0 + an extended type byte), then size. */
function control(type: number, size: number): Buffer {
  let sizeBits: number;
  let sizeBytes: Buffer;
  if (size < 29) {
    sizeBits = size;
    sizeBytes = Buffer.alloc(0);
  } else if (size < 29 + 256) {
    sizeBits = 29;
    sizeBytes = Buffer.from([size - 29]);
  } else if (size < 285 + 65536) {
    sizeBits = 30;
    sizeBytes = Buffer.alloc(2);
    sizeBytes.writeUInt16BE(size - 285);
  } else {
    sizeBits = 31;
    sizeBytes = Buffer.alloc(3);
    sizeBytes.writeUIntBE(size - 65821, 0, 3);
  }
  const head =
    type <= 7
      ? Buffer.from([(type << 5) | sizeBits])
      : Buffer.from([sizeBits, type - 7]);
  return Buffer.concat([head, sizeBytes]);
}

/** An unsigned integer in as few big-endian bytes as it needs. */
function unsigned(type: number, value: bigint): Buffer {
  const bytes: number[] = [];
  for (let v = value; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
}

export function encodeValue(value: MmdbValue): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([control(TYPE.string, bytes.length), bytes]);
  }
  if (typeof value === 'boolean') return control(TYPE.boolean, value ? 1 : 0);
  if (typeof value === 'bigint') return unsigned(TYPE.uint64, value);
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value < 2 ** 32) {
      return unsigned(
        value < 2 ** 16 ? TYPE.uint16 : TYPE.uint32,
        BigInt(value),
      );
    }
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleBE(value);
    return Buffer.concat([control(TYPE.double, 8), bytes]);
  }
  if (Array.isArray(value)) {
    return Buffer.concat([
      control(TYPE.array, value.length),
      ...value.map(encodeValue),
    ]);
  }
  const entries = Object.entries(value);
  return Buffer.concat([
    control(TYPE.map, entries.length),
    ...entries.flatMap(([key, v]) => [encodeValue(key), encodeValue(v)]),
  ]);
}

type Record24 = { node: number } | { data: number } | 'empty';

function parseCidr(cidr: string): { bits: number; prefix: number } {
  const [address, prefixText] = cidr.split('/');
  const octets = address.split('.').map(Number);
  const prefix = Number(prefixText);
  if (
    octets.length !== 4 ||
    octets.some(o => !Number.isInteger(o) || o < 0 || o > 255) ||
    !Number.isInteger(prefix) ||
    prefix < 1 ||
    prefix > 32
  ) {
    throw new Error(`not an IPv4 network: ${cidr}`);
  }
  const bits = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { bits, prefix };
}

/** Builds the whole database file. Networks must not nest in one another. */
export function writeMmdb(
  networks: MmdbNetwork[],
  options: MmdbOptions,
): Buffer {
  const nodes: Array<[Record24, Record24]> = [['empty', 'empty']];
  const dataParts: Buffer[] = [];
  let dataLength = 0;

  for (const network of networks) {
    const encoded = encodeValue(network.data);
    const dataOffset = dataLength;
    dataParts.push(encoded);
    dataLength += encoded.length;

    const { bits, prefix } = parseCidr(network.cidr);
    let node = 0;
    for (let depth = 0; depth < prefix; depth += 1) {
      const side = Math.floor(bits / 2 ** (31 - depth)) % 2;
      if (depth === prefix - 1) {
        nodes[node][side] = { data: dataOffset };
        break;
      }
      const next = nodes[node][side];
      if (next === 'empty') {
        nodes.push(['empty', 'empty']);
        nodes[node][side] = { node: nodes.length - 1 };
        node = nodes.length - 1;
      } else if ('node' in next) {
        node = next.node;
      } else {
        throw new Error(`${network.cidr} lies inside another network`);
      }
    }
  }

  const nodeCount = nodes.length;
  const recordValue = (record: Record24) => {
    if (record === 'empty') return nodeCount;
    if ('node' in record) return record.node;
    return nodeCount + 16 + record.data;
  };
  const tree = Buffer.alloc(nodeCount * 6);
  nodes.forEach(([left, right], index) => {
    tree.writeUIntBE(recordValue(left), index * 6, 3);
    tree.writeUIntBE(recordValue(right), index * 6 + 3, 3);
  });

  const metadata = encodeValue({
    node_count: nodeCount,
    record_size: 24,
    ip_version: 4,
    database_type: options.databaseType,
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: BigInt(options.buildEpoch ?? 0),
    description: { en: options.description ?? options.databaseType },
  });

  return Buffer.concat([
    tree,
    Buffer.alloc(16),
    ...dataParts,
    METADATA_MARKER,
    metadata,
  ]);
}
