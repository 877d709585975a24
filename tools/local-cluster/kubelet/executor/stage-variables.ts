// The variables and labels of a stage as its ARG, ENV and LABEL instructions set them.
import type { BuildPlan } from './build-plan';
import type { Instruction } from './dockerfile';
import { expandVariables, parseKeyValues } from './shell';

/**
 * Applies an ARG or ENV instruction to the variables in scope. An ARG takes the build argument of
 * its name, else its default, else the value of the ARG of that name before the first FROM.
 * Returns false for other instructions.
 */
export function applyVariableInstruction(instruction: Instruction, variables: Map<string, string>, plan: BuildPlan): boolean {
  if (instruction.keyword === 'ARG') {
    for (const { key, value } of parseKeyValues(instruction.rest, false)) {
      const fallback = value === undefined ? plan.metaArgs.get(key) : expandVariables(value, variables);
      const resolved = plan.buildArgs.get(key) ?? fallback;
      if (resolved !== undefined) variables.set(key, resolved);
    }
    return true;
  }
  if (instruction.keyword === 'ENV') {
    for (const { key, value } of parseKeyValues(instruction.rest, true)) {
      variables.set(key, expandVariables(value ?? '', variables));
    }
    return true;
  }
  return false;
}

/** Applies a LABEL instruction's keys and values, with variables expanded, as kaniko's updateLabels does. */
export function applyLabelInstruction(instruction: Instruction, labels: Map<string, string>, variables: ReadonlyMap<string, string>): void {
  for (const { key, value } of parseKeyValues(instruction.rest, false)) {
    labels.set(expandVariables(key, variables), expandVariables(value ?? '', variables));
  }
}
