// Parses and evaluates task.json visible rules, such as `connectionType = azureResourceManager`
// or `contextDelivery != direct && storageConnection != ""`. Each clause is an input name, an
// operator and a value. The operators are those in the `visibleRule` description of the task.json
// schema (microsoft/azure-pipelines-task-lib, tasks.schema.json) and in Microsoft's own tasks.

export interface VisibleRuleClause {
  name: string;
  operator: string;
  /** The compared value, without the double quotes around it when it had them. */
  value: string;
}

export interface VisibleRule {
  /** `&&` or `||` between the clauses; undefined for a single clause. */
  join?: '&&' | '||';
  clauses: VisibleRuleClause[];
}

const OPERATORS = ['==', '!=', '<=', '>=', '=', '<', '>', 'NotEndsWith', 'EndsWith', 'NotContains', 'Contains'];
const CLAUSE = new RegExp(
  `^\\s*([A-Za-z][A-Za-z0-9_]*)\\s*(${OPERATORS.map((op) => (/^[A-Za-z]/.test(op) ? `\\s${op}\\s` : op)).join('|')})\\s*(.*?)\\s*$`,
);

/**
 * Parses a visible rule.
 * @throws Error naming the clause that is not `name operator value`. A rule that mixes `&&` and
 * `||`, or has parentheses, is rejected too, because the schema does not say how the editor
 * groups them, and this task has no such rule.
 */
export function parseVisibleRule(rule: string): VisibleRule {
  const hasAnd = rule.includes('&&');
  const hasOr = rule.includes('||');
  if (hasAnd && hasOr) throw new Error(`"${rule}" mixes && and ||`);
  if (/[()]/.test(rule)) throw new Error(`"${rule}" has parentheses`);
  let join: VisibleRule['join'];
  if (hasAnd) join = '&&';
  else if (hasOr) join = '||';
  const clauses = rule.split(/&&|\|\|/).map((text) => {
    const match = CLAUSE.exec(text);
    if (!match) throw new Error(`"${text.trim()}" is not a clause of the form: name operator value`);
    return { name: match[1], operator: match[2].trim(), value: unquote(match[3]) };
  });
  return { join, clauses };
}

function unquote(value: string): string {
  return /^".*"$/.test(value) ? value.slice(1, -1) : value;
}

/**
 * Evaluates a rule against input values by input name. Returns undefined when a clause needs a
 * value that is unknown, such as a `$(variable)` that is only set at run time.
 * NOTE: comparisons ignore case. The schema does not say whether the editor does.
 */
export function evaluateVisibleRule(rule: VisibleRule, values: Map<string, string | undefined>): boolean | undefined {
  const results = rule.clauses.map((clause) => evaluateClause(clause, values.get(clause.name)));
  if (rule.join === '||') {
    if (results.includes(true)) return true;
    return results.includes(undefined) ? undefined : false;
  }
  if (results.includes(false)) return false;
  return results.includes(undefined) ? undefined : true;
}

function evaluateClause(clause: VisibleRuleClause, actual: string | undefined): boolean | undefined {
  if (actual === undefined) return undefined;
  const left = actual.toLowerCase();
  const right = clause.value.toLowerCase();
  switch (clause.operator) {
    case '=':
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case 'EndsWith':
      return left.endsWith(right);
    case 'NotEndsWith':
      return !left.endsWith(right);
    case 'Contains':
      return left.includes(right);
    case 'NotContains':
      return !left.includes(right);
    default:
      return compareNumbers(clause.operator, Number(actual), Number(clause.value));
  }
}

function compareNumbers(operator: string, left: number, right: number): boolean | undefined {
  if (Number.isNaN(left) || Number.isNaN(right)) return undefined;
  if (operator === '<') return left < right;
  if (operator === '>') return left > right;
  if (operator === '<=') return left <= right;
  return left >= right;
}
