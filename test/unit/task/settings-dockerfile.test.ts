// The images a build pulls, read from the Dockerfile as kaniko plans the build.
import { strict as assert } from 'node:assert';
import { expandVariables, summarizeDockerfile } from '../../../tasks/KanikoBuildV1/src/settings/dockerfile';
import { imageRegistry } from '../../../tasks/KanikoBuildV1/src/settings/image';
import type { BuildArgument } from '../../../tasks/KanikoBuildV1/src/settings/types';

function pulled(text: string, buildArguments: BuildArgument[] = [], target?: string): string[] {
  return summarizeDockerfile(text, buildArguments, target).pulledImages.map((image) => `${image.line}:${image.reference}`);
}

describe('settings: Dockerfile images', () => {
  it('single FROM is pulled', () => {
    assert.deepEqual(pulled('FROM python:3.12-slim\nRUN pip install flask\n'), ['1:python:3.12-slim']);
  });

  it('scratch is not pulled', () => {
    assert.deepEqual(pulled('FROM scratch\nCOPY app /app\n'), []);
  });

  it('lower-case keywords and comments', () => {
    const text = '# FROM commented.azurecr.io/no\nfrom  myacr.azurecr.io/base:1 as Build\n';
    const summary = summarizeDockerfile(text, []);

    assert.deepEqual(summary.stages, ['build']);
    assert.deepEqual(summary.pulledImages, [{ reference: 'myacr.azurecr.io/base:1', line: 2 }]);
  });

  it('ARG default expands in FROM', () => {
    const text = 'ARG REGISTRY=myacr.azurecr.io\nARG VERSION=3.12\nFROM ${REGISTRY}/python:$VERSION\n';
    assert.deepEqual(pulled(text), ['3:myacr.azurecr.io/python:3.12']);
  });

  it('build argument replaces a declared ARG', () => {
    const text = 'ARG REGISTRY=myacr.azurecr.io\nFROM ${REGISTRY}/python:3.12\n';
    assert.deepEqual(pulled(text, [{ name: 'REGISTRY', value: 'other.azurecr.io' }]), ['2:other.azurecr.io/python:3.12']);
  });

  it('undeclared build argument reaches FROM', () => {
    assert.deepEqual(pulled('FROM $BASE\n', [{ name: 'BASE', value: 'myacr.azurecr.io/x' }]), ['1:myacr.azurecr.io/x']);
  });

  it('empty build argument keeps the ARG default', () => {
    const text = 'ARG BASE=alpine:3.20\nFROM $BASE\n';
    assert.deepEqual(pulled(text, [{ name: 'BASE', value: '' }]), ['2:alpine:3.20']);
  });

  it('build argument value ends at an equals sign', () => {
    assert.deepEqual(pulled('FROM $BASE\n', [{ name: 'BASE', value: 'alpine:3.20=x' }]), ['1:alpine:3.20']);
  });

  it('ARG default is not expanded again', () => {
    const summary = summarizeDockerfile('ARG REGISTRY=myacr.azurecr.io\nARG BASE=$REGISTRY/python\nFROM $BASE\n', []);

    assert.deepEqual(summary.unresolvedImages.map((image) => image.reference), ['$REGISTRY/python']);
  });

  it('default operators expand', () => {
    const args = 'ARG EMPTY=\nARG SET=yes\n';

    assert.deepEqual(pulled(`${args}FROM \${EMPTY:-myacr.azurecr.io/a}\n`), ['3:myacr.azurecr.io/a']);
    assert.deepEqual(pulled(`${args}FROM \${UNSET-ghcr.io/b}\n`), ['3:ghcr.io/b']);
    assert.deepEqual(pulled(`${args}FROM quay.io/c\${SET:+-suffix}\n`), ['3:quay.io/c-suffix']);
  });

  it('platform ARGs need no declaration', () => {
    assert.deepEqual(pulled('FROM --platform=$BUILDPLATFORM myacr.azurecr.io/go:${TARGETARCH}\n'), ['1:myacr.azurecr.io/go:amd64']);
  });

  it('unset variable is unresolved', () => {
    const summary = summarizeDockerfile('ARG BASE\nFROM ${BASE} AS base\nFROM myacr.azurecr.io/app:$TAG\nCOPY --from=base / /\n', []);

    assert.deepEqual(summary.pulledImages, []);
    assert.deepEqual(summary.unresolvedImages.map((image) => image.reference), ['${BASE}', 'myacr.azurecr.io/app:$TAG']);
  });

  it('stage bases are not pulled', () => {
    const text = 'FROM golang:1.23 AS build\nRUN go build\nFROM build AS test\nFROM gcr.io/distroless/static\nCOPY --from=build /app /app\n';
    assert.deepEqual(pulled(text), ['1:golang:1.23', '4:gcr.io/distroless/static']);
  });

  it('COPY --from image is pulled', () => {
    const text = 'FROM debian AS base\nFROM alpine\nCOPY --from=ghcr.io/org/tool:1 /bin/tool /bin/tool\nCOPY --from=0 /etc/os-release /x\n';
    assert.deepEqual(pulled(text), ['1:debian', '2:alpine', '3:ghcr.io/org/tool:1']);
  });

  it('RUN --mount image is not fetched', () => {
    const text = 'FROM alpine\nRUN --mount=type=bind,from=myacr.azurecr.io/certs:1,target=/certs cp /certs/* /etc/ssl/\n';
    assert.deepEqual(pulled(text), ['1:alpine']);
  });

  it('COPY --from with a variable is not checked', () => {
    const text = 'ARG TOOL=myacr.azurecr.io/tool:1\nFROM alpine\nCOPY --from=$TOOL /t /t\n';
    const summary = summarizeDockerfile(text, []);

    assert.deepEqual(summary.pulledImages.map((image) => image.reference), ['alpine']);
    assert.deepEqual(summary.unresolvedImages, []);
  });

  it('unused stages are skipped', () => {
    const text = [
      'FROM myacr.azurecr.io/sdk:8 AS build',
      'FROM private.azurecr.io/tests:1 AS test',
      'COPY --from=build /src /src',
      'FROM mcr.microsoft.com/dotnet/aspnet:8 AS final',
      'COPY --from=build /app /app',
    ].join('\n');

    assert.deepEqual(pulled(text), ['1:myacr.azurecr.io/sdk:8', '4:mcr.microsoft.com/dotnet/aspnet:8']);
    assert.deepEqual(pulled(text, [], 'test'), ['1:myacr.azurecr.io/sdk:8', '2:private.azurecr.io/tests:1']);
    assert.deepEqual(pulled(text, [], 'BUILD'), ['1:myacr.azurecr.io/sdk:8']);
  });

  it('heredoc body is not an instruction', () => {
    const text = '# syntax=docker/dockerfile:1\nFROM alpine\nRUN <<EOF\nFROM hidden.azurecr.io/no\nEOF\n';
    assert.deepEqual(pulled(text), ['2:alpine']);
  });

  it('escape directive continues lines', () => {
    const text = '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022 `\n  AS base\nFROM base\n';
    const summary = summarizeDockerfile(text, []);

    assert.deepEqual(summary.stages, ['base', '']);
    assert.deepEqual(summary.pulledImages.map((image) => image.reference), ['mcr.microsoft.com/windows/servercore:ltsc2022']);
  });

  it('no FROM has no stages', () => {
    assert.deepEqual(summarizeDockerfile('RUN echo hi\n', []).stages, []);
  });
});

describe('settings: variable expansion', () => {
  const values = new Map([['A', 'x'], ['EMPTY', '']]);
  const cases: [string, string][] = [
    ['$A', 'x'],
    ['${A}/b', 'x/b'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${EMPTY:+w}', ''],
    ['${EMPTY+w}', 'w'],
    ['${MISSING:-${A}}', 'x'],
    ['\\$A', '$A'],
    ['$MISSING', '$MISSING'],
  ];
  for (const [text, expected] of cases) {
    it(`expands ${text}`, () => {
      assert.equal(expandVariables(text, values), expected);
    });
  }
});

describe('settings: image registry', () => {
  const cases: [string, string][] = [
    ['python:3.12', 'docker.io'],
    ['library/python', 'docker.io'],
    ['docker.io/library/python', 'docker.io'],
    ['index.docker.io/team/app', 'docker.io'],
    ['MyACR.azurecr.io/app:1', 'myacr.azurecr.io'],
    ['localhost/app', 'localhost'],
    ['localhost:5000/app', 'localhost:5000'],
    ['Team/app', 'team'],
    ['ghcr.io/org/tool@sha256:' + 'a'.repeat(64), 'ghcr.io'],
  ];
  for (const [reference, registry] of cases) {
    it(`${reference} is on ${registry}`, () => {
      assert.equal(imageRegistry(reference), registry);
    });
  }
});
