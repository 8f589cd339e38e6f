import { CATEGORIES_FIELD, type FilterNode } from '@fastagentic/memory/provider';

type JsonPrimitive = string | number | boolean | null;

/**
 * Collects bind parameters while a statement is built: every value reaches PostgreSQL as a
 * parameter, never as SQL text.
 */
export class SqlParams {
  readonly values: unknown[];

  constructor(initial: readonly unknown[] = []) {
    this.values = [...initial];
  }

  /** Adds a value and returns its placeholder, e.g. `$3`. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * Translates a parsed filter into a boolean SQL expression over the memory row aliased `m`
 * (columns `metadata jsonb` and `categories jsonb`), with the exact semantics of the core's
 * `matchesFilter`: equality against an array means "contains"; `ne` and `nin` hold when the field
 * is missing; range operators compare numbers with numbers and strings with strings only
 * (strings in code-point order, `COLLATE "C"`); `contains` is a substring test on strings and
 * membership on arrays. Every expression is NOT NULL, so NOT and OR behave as in JavaScript.
 */
export function filterToSql(node: FilterNode, params: SqlParams): string {
  switch (node.kind) {
    case 'and':
      return `(${node.children.map((child) => filterToSql(child, params)).join(' AND ')})`;
    case 'or':
      return `(${node.children.map((child) => filterToSql(child, params)).join(' OR ')})`;
    case 'not':
      return `(NOT ${filterToSql(node.child, params)})`;
    case 'condition': {
      const field =
        node.field === CATEGORIES_FIELD ? `COALESCE(m.categories, '[]'::jsonb)` : `(m.metadata -> ${params.add(node.field)}::text)`;
      return condition(field, node.operator, node.value, params);
    }
  }
}

function condition(field: string, operator: string, value: unknown, params: SqlParams): string {
  switch (operator) {
    case 'eq':
      return equals(field, value as JsonPrimitive, params);
    case 'ne':
      return `(NOT ${equals(field, value as JsonPrimitive, params)})`;
    case 'in':
      return anyEquals(field, value as JsonPrimitive[], params);
    case 'nin':
      return `(NOT ${anyEquals(field, value as JsonPrimitive[], params)})`;
    case 'contains':
      return contains(field, value as JsonPrimitive, params);
    default:
      return range(field, operator as 'gt' | 'gte' | 'lt' | 'lte', value as number | string, params);
  }
}

function jsonParam(value: JsonPrimitive, params: SqlParams): string {
  return `${params.add(JSON.stringify(value))}::jsonb`;
}

/** `actual === value`, or `actual.includes(value)` when the field holds an array. */
function equals(field: string, value: JsonPrimitive, params: SqlParams): string {
  const json = jsonParam(value, params);
  return `COALESCE(CASE WHEN jsonb_typeof(${field}) = 'array' THEN ${field} @> jsonb_build_array(${json}) ELSE ${field} = ${json} END, false)`;
}

function anyEquals(field: string, values: readonly JsonPrimitive[], params: SqlParams): string {
  // Always false, yet it names the field, so the field's parameter is used by the statement.
  if (values.length === 0) return `(${field} IS NULL AND false)`;
  return `(${values.map((value) => equals(field, value, params)).join(' OR ')})`;
}

function contains(field: string, value: JsonPrimitive, params: SqlParams): string {
  const inArray = `${field} @> jsonb_build_array(${jsonParam(value, params)})`;
  const inString = typeof value === 'string' ? `strpos(${field} #>> '{}', ${params.add(value)}::text) > 0` : 'false';
  return `COALESCE(CASE jsonb_typeof(${field}) WHEN 'string' THEN ${inString} WHEN 'array' THEN ${inArray} ELSE false END, false)`;
}

const RANGE_SQL = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** A number or string field compared with a value of the same type; an array matches when any item does. */
function range(field: string, operator: keyof typeof RANGE_SQL, value: number | string, params: SqlParams): string {
  const sqlOperator = RANGE_SQL[operator];
  const isNumber = typeof value === 'number';
  const type = isNumber ? 'number' : 'string';
  const bound = isNumber ? `${params.add(String(value))}::numeric` : `${params.add(value)}::text COLLATE "C"`;
  const compare = (json: string) =>
    isNumber ? `(${json})::numeric ${sqlOperator} ${bound}` : `(${json} #>> '{}') COLLATE "C" ${sqlOperator} ${bound}`;
  return (
    `COALESCE(CASE jsonb_typeof(${field}) WHEN '${type}' THEN ${compare(field)} ` +
    `WHEN 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements(${field}) AS item(value) ` +
    `WHERE CASE WHEN jsonb_typeof(item.value) = '${type}' THEN ${compare('item.value')} ELSE false END) ` +
    `ELSE false END, false)`
  );
}
