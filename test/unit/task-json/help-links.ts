// Checks the help text of every input: it exists, its links use https, and links to this
// project's docs on GitHub point at a file and heading that exist in this checkout.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { headingAnchors } from './markdown';
import type { TaskJson } from './task-json';

/** The URL prefix of the project's files on GitHub. Help links into the docs start with it. */
export const PROJECT_BLOB_URL = 'https://github.com/kaniko-build-on-aks/kaniko-build-on-aks/blob/main/';

/** Returns the targets of the Markdown links `[text](target)` in a text. */
export function markdownLinks(text: string): string[] {
  return [...text.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)].map((match) => match[1]);
}

/** Checks every input's helpMarkDown. Links into the project's files resolve in the checkout at `root`. */
export function checkHelpText(task: TaskJson, root: string): string[] {
  const problems: string[] = [];
  for (const input of task.inputs) {
    const help = input.helpMarkDown ?? '';
    if (help.trim() === '') {
      problems.push(`input ${input.name} has no helpMarkDown`);
      continue;
    }
    for (const link of markdownLinks(help)) {
      if (!link.startsWith('https://')) problems.push(`helpMarkDown of ${input.name} links to ${link}, which is not an https URL`);
      else if (link.startsWith(PROJECT_BLOB_URL)) problems.push(...checkProjectLink(input.name, link, root));
    }
  }
  return problems;
}

function checkProjectLink(inputName: string, link: string, root: string): string[] {
  const [file, anchor] = link.slice(PROJECT_BLOB_URL.length).split('#');
  const local = path.join(root, ...file.split('/'));
  if (!fs.existsSync(local)) return [`helpMarkDown of ${inputName} links to ${file}, which does not exist`];
  if (anchor !== undefined && !headingAnchors(fs.readFileSync(local, 'utf8')).has(anchor)) {
    return [`helpMarkDown of ${inputName} links to ${file}#${anchor}, but ${file} has no heading with that anchor`];
  }
  return [];
}
