/**
 * Diagnostics: the way errors and warnings reach the user. Provider code
 * returns (or throws) these instead of failing the RPC, so OpenTofu shows a
 * proper "Error: <summary>" block pointing at the offending attribute.
 */
import { CtyType, hasOwn } from './types';

export type Severity = 'error' | 'warning';

/** A path into a value: attribute names, map keys (strings) and list indexes (numbers). */
export type PathStep = string | number;
export type AttributePath = readonly PathStep[];

export interface Diagnostic {
  severity: Severity;
  summary: string;
  detail?: string;
  /** Attribute the diagnostic is about, e.g. ['tags', 'env'] or ['rules', 0, 'cidr']. */
  path?: AttributePath;
}

function normalisePath(path: PathStep | AttributePath | undefined): AttributePath | undefined {
  if (path === undefined) return undefined;
  return Array.isArray(path) ? [...(path as AttributePath)] : [path as PathStep];
}

export const diag = {
  error(summary: string, detail?: string, path?: PathStep | AttributePath): Diagnostic {
    return { severity: 'error', summary, detail, path: normalisePath(path) };
  },
  warning(summary: string, detail?: string, path?: PathStep | AttributePath): Diagnostic {
    return { severity: 'warning', summary, detail, path: normalisePath(path) };
  },
};

export function hasErrors(diagnostics: readonly Diagnostic[] | undefined): boolean {
  return (diagnostics ?? []).some((d) => d.severity === 'error');
}

/** Throw from any handler to return these diagnostics (no stack trace reaches the user). */
export class DiagnosticError extends Error {
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic | Diagnostic[]) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics];
    super(list.map((d) => d.summary + (d.detail ? `: ${d.detail}` : '')).join('; '));
    this.name = 'DiagnosticError';
    this.diagnostics = list;
  }
}

/** Wire shapes (tfplugin6.Diagnostic / AttributePath as seen by proto-loader). */
export interface ProtoStep {
  attribute_name?: string;
  element_key_string?: string;
  element_key_int?: number;
  selector?: string;
}
export interface ProtoAttributePath {
  steps: ProtoStep[];
}
export interface ProtoDiagnostic {
  severity: number;
  summary: string;
  detail: string;
  attribute?: ProtoAttributePath | null;
}

export const SEVERITY_ERROR = 1;
export const SEVERITY_WARNING = 2;

/**
 * Converts a path to protocol steps. With the root object type, string steps
 * are resolved correctly as attribute names (objects) or element keys (maps);
 * without it, strings are attribute names and numbers list indexes.
 */
export function toProtoPath(path: AttributePath, root?: CtyType): ProtoAttributePath {
  const steps: ProtoStep[] = [];
  let type: CtyType | undefined = root;
  for (const step of path) {
    if (typeof step === 'number') {
      steps.push({ element_key_int: step });
      type =
        type?.kind === 'list' || type?.kind === 'set' ? type.element : type?.kind === 'tuple' ? type.elements[step] : undefined;
    } else if (type?.kind === 'map') {
      steps.push({ element_key_string: step });
      type = type.element;
    } else {
      steps.push({ attribute_name: step });
      type = type?.kind === 'object' && hasOwn(type.attributes, step) ? type.attributes[step] : undefined;
    }
  }
  return { steps };
}

/** Converts protocol steps back to a path (for logging and tests). */
export function fromProtoPath(p: ProtoAttributePath | null | undefined): PathStep[] {
  return (p?.steps ?? []).map((s) => {
    // proto-loader (oneofs: true) names the populated oneof member in `selector`.
    switch (s.selector) {
      case 'element_key_string':
        return s.element_key_string ?? '';
      case 'element_key_int':
        return Number(s.element_key_int);
      default:
        return s.attribute_name ?? '';
    }
  });
}

export function toProtoDiagnostic(d: Diagnostic, root?: CtyType): ProtoDiagnostic {
  const out: ProtoDiagnostic = {
    // Always explicit: severity 0 (INVALID) would be shown without a severity.
    severity: d.severity === 'warning' ? SEVERITY_WARNING : SEVERITY_ERROR,
    summary: String(d.summary ?? ''),
    detail: d.detail === undefined ? '' : String(d.detail),
  };
  if (d.path && d.path.length > 0) out.attribute = toProtoPath(d.path, root);
  return out;
}
