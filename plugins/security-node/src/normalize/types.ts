import type { EcsDocument } from '../correlation/types';

/** Why a line gave no event. Counted per kind, reported with line numbers. */
export type ProblemKind =
  | 'too_long'
  | 'invalid_utf8'
  | 'truncated'
  | 'malformed_json'
  | 'not_an_object'
  | 'unrecognized'
  | 'no_timestamp'
  | 'mapping_failed';

export interface NormalizeOptions {
  /** `service.name` when the line does not say (default: per mapper). */
  serviceName?: string;
  /** Lines longer than this (in UTF-16 units) are refused unparsed. Default 1 MiB. */
  maxLineLength?: number;
}

/** One line's result: an event, a problem, or neither (a blank line). */
export interface NormalizeResult {
  event?: EcsDocument;
  problem?: ProblemKind;
}

/** A parsed JSON object from one input line. */
export type JsonObject = Record<string, unknown>;

/** One input format: recognizes its lines and maps them to ECS. */
export interface Mapper {
  /** e.g. `kubernetes.audit`; also the document's `event.dataset`. */
  name: string;
  matches(line: JsonObject): boolean;
  map(line: JsonObject, options: NormalizeOptions): EcsDocument;
}

/** Thrown by a mapper for a line it recognizes but cannot map. */
export class MappingProblem extends Error {
  constructor(readonly kind: ProblemKind) {
    super(kind);
    this.name = 'MappingProblem';
  }
}
