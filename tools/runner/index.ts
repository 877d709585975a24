// The agent-like task runner: runs a bundled Azure Pipelines task as the agent does.
export { runTask } from './run-task';
export { AGENT_VERSION, COLLECTION_URI } from './agent-variables';
export { escapeCommandText, parseLoggingCommand, unescapeCommandText } from './commands';
export { AGENT_SIGNAL_TIMEOUTS } from './task-process';
export type * from './types';
