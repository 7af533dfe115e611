/**
 * A stored value's valibot schema compiled into plain checks, for the read on every update.
 *
 * valibot builds a dataset and an issue list for every node it visits; the learner's head record
 * has hundreds of nodes, so validating it that way was a fifth of a review press. `guard(schema)`
 * walks the schema once and returns a predicate made of closures that answer only "valid or not"
 * — the same rules (tests/unit/guard.test.ts checks both agree on valid and broken records). When
 * the predicate says no, the caller runs valibot for the issues it logs. A node it does not know
 * (a transform, a pipe action other than the integer and range checks) is handed to valibot itself,
 * so a new schema is never checked less strictly — only more slowly.
 *
 * One difference, on purpose: a value that passes is used as it was parsed, so keys the schema does
 * not name are kept (valibot's `object` drops them). Stored values are written by Lectern alone.
 */
import * as v from "valibot";

type Check = (x: unknown) => boolean;
type Node = v.GenericSchema & {
  type: string;
  pipe?: readonly { kind: string; type: string; requirement?: unknown }[];
  entries?: Record<string, Node>;
  item?: Node;
  items?: readonly Node[];
  wrapped?: Node;
  default?: unknown;
  options?: readonly unknown[];
  literal?: unknown;
  key?: Node;
  value?: Node;
  check?: (x: unknown) => boolean;
};

const cache = new WeakMap<object, Check>();

/** The schema as a predicate: true exactly when valibot would accept the value (see above). */
export function guard(schema: v.GenericSchema): Check {
  let c = cache.get(schema);
  if (!c) {
    c = compile(schema as Node);
    cache.set(schema, c);
  }
  return c;
}

/** Keys valibot's record skips (it never copies them onto its output). */
const UNSAFE_KEYS = new Set(["__proto__", "prototype", "constructor"]);

function compile(node: Node): Check {
  if (!node.pipe) return compileBase(node) ?? ((x) => v.is(node, x));
  // `v.pipe(schema, ...actions)`: the schema (itself perhaps a pipe) first, then each action.
  const [first, ...actions] = node.pipe as [Node, ...{ kind: string; type: string; requirement?: unknown }[]];
  const base = compile(first);
  const steps: Check[] = [];
  for (const action of actions) {
    const step = compileAction(action);
    if (!step) return (x) => v.is(node, x);
    steps.push(step);
  }
  return (x) => {
    if (!base(x)) return false;
    for (const s of steps) if (!s(x)) return false;
    return true;
  };
}

function compileAction(a: { kind: string; type: string; requirement?: unknown }): Check | null {
  if (a.kind !== "validation") return null;
  switch (a.type) {
    case "safe_integer":
      return (x) => Number.isSafeInteger(x);
    case "integer":
      return (x) => Number.isInteger(x);
    case "min_value": {
      const r = a.requirement;
      return typeof r === "number" ? (x) => (x as number) >= r : null;
    }
    case "max_value": {
      const r = a.requirement;
      return typeof r === "number" ? (x) => (x as number) <= r : null;
    }
    default:
      return null;
  }
}

function compileBase(node: Node): Check | null {
  switch (node.type) {
    case "string":
      return (x) => typeof x === "string";
    case "number":
      return (x) => typeof x === "number" && !Number.isNaN(x);
    case "boolean":
      return (x) => typeof x === "boolean";
    case "literal": {
      const lit = node.literal;
      return (x) => x === lit;
    }
    case "picklist": {
      const opts = node.options!;
      return (x) => opts.includes(x);
    }
    case "custom": {
      const check = node.check!;
      return (x) => !!check(x);
    }
    case "optional": {
      if (node.default !== undefined) return null; // a default is a transform: valibot's job
      const inner = compile(node.wrapped!);
      return (x) => x === undefined || inner(x);
    }
    case "array": {
      const item = compile(node.item!);
      return (x) => {
        if (!Array.isArray(x)) return false;
        for (let i = 0; i < x.length; i++) if (!item(x[i])) return false;
        return true;
      };
    }
    case "tuple": {
      const items = node.items!.map(compile);
      return (x) => {
        if (!Array.isArray(x)) return false;
        for (let i = 0; i < items.length; i++) if (!items[i]!(x[i])) return false;
        return true;
      };
    }
    case "record": {
      const key = compile(node.key!);
      const value = compile(node.value!);
      return (x) => {
        if (!x || typeof x !== "object") return false;
        for (const k in x) {
          if (!Object.hasOwn(x, k) || UNSAFE_KEYS.has(k)) continue;
          if (!key(k) || !value((x as Record<string, unknown>)[k])) return false;
        }
        return true;
      };
    }
    case "object": {
      const fields = Object.entries(node.entries!).map(([k, s]) => {
        const optional = s.type === "optional" || s.type === "exact_optional" || s.type === "nullish";
        if (optional && s.default !== undefined) return null;
        return { k, optional, check: compile(s) };
      });
      if (fields.some((f) => f === null)) return null;
      const list = fields as { k: string; optional: boolean; check: Check }[];
      return (x) => {
        if (!x || typeof x !== "object") return false;
        const o = x as Record<string, unknown>;
        for (const f of list) {
          if (!(f.k in o)) {
            if (f.optional) continue;
            return false;
          }
          if (!f.check(o[f.k])) return false;
        }
        return true;
      };
    }
    default:
      return null;
  }
}
