// Opens a followed container log (`GET .../pods/NAME/log?follow=true`). client-node's Log pipes
// the response into the sink and drops a later error of the response, so a connection that
// breaks mid-stream would leave the sink open forever. Here such a break destroys the sink with
// an ECONNRESET error, so that the caller can tell it from a stream that ended.
import { ApiException, type KubeConfig } from '@kubernetes/client-node';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Writable } from 'node:stream';

export interface LogStreamTarget {
  namespace: string;
  pod: string;
  container: string;
}

/**
 * Starts streaming the log, with timestamps, from `sinceTime` when given, into `sink`, and
 * resolves once the server accepted the request. The returned controller stops the stream, and
 * so does `signal`, also while the request waits for the response headers. Rejects with an
 * ApiException (code, Status body, headers) when the server rejects the request, and with the network or
 * abort error otherwise.
 */
export async function openLogStream(
  config: KubeConfig, target: LogStreamTarget, sink: Writable, sinceTime?: string, signal?: AbortSignal,
): Promise<AbortController> {
  const server = config.getCurrentCluster()?.server ?? '';
  const query = new URLSearchParams({ container: target.container, follow: 'true', timestamps: 'true' });
  if (sinceTime) query.set('sinceTime', sinceTime);
  const url = new URL(
    `${server.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/log?${query}`,
  );
  const options: RequestOptions & { headers: Record<string, string> } = { method: 'GET', headers: {} };
  await config.applyToHTTPSOptions(options);
  const controller = new AbortController();
  const requestSignal = signal ? AbortSignal.any([controller.signal, signal]) : controller.signal;
  const response = await send(url, { ...options, signal: requestSignal });
  if (response.statusCode !== 200) throw await rejection(response);
  // A response that closes before its last chunk arrived (`complete` false) broke off.
  response.once('close', () => {
    if (response.complete || sink.destroyed) return;
    const broken = Object.assign(new Error('the log stream broke off before its end'), { code: 'ECONNRESET' });
    sink.destroy(broken);
  });
  response.on('error', () => undefined);
  response.pipe(sink);
  return controller;
}

function send(url: URL, options: RequestOptions): Promise<IncomingMessage> {
  const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const call = request(url, options, resolve);
    call.on('error', reject);
    call.end();
  });
}

/** Reads a rejected request's body into the ApiException that client-node's API calls throw. */
async function rejection(response: IncomingMessage): Promise<ApiException<unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not a Status object; the text is kept as it is.
  }
  const headers = Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, String(value)]));
  return new ApiException(response.statusCode ?? 0, 'the log request failed', body, headers);
}
