// The error of the run-step command for a problem with its input: the pipeline file, the step
// selection, a variable or a service connection. The command prints its message and exits with 2.

export class StepInputError extends Error {}
