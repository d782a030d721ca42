/**
 * The sandbox's control endpoints (`<basePath>/_sandbox/...`): stats, accepted documents, fault
 * plan, latency, reset and outage, for tests and benchmarks. Not counted, no latency, no faults,
 * no rate limit: they talk about the access point, they are not part of it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorAnswer, type Answer } from './answers';
import type { SandboxCore } from './core';
import { readJsonBody } from './request-body';
import type { FaultPlan, SandboxHandle } from './types';

/** The answer of one control request (`path` is relative to the base path). */
export async function controlAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  handle: SandboxHandle,
  core: SandboxCore,
  requestId: string,
): Promise<Answer> {
  let answer: Answer;
  if (req.method === 'GET' && path === '/_sandbox/stats') {
    answer = { status: 200, body: handle.stats() };
  } else if (req.method === 'GET' && path === '/_sandbox/accepted') {
    answer = core.acceptedList();
  } else if (req.method === 'POST' && path === '/_sandbox/faults') {
    const json = await readJsonBody(req, 1024 * 1024, requestId);
    if (!json.ok) answer = json.answer;
    else if (typeof json.value !== 'object' || json.value === null || Array.isArray(json.value)) {
      answer = errorAnswer(400, 'INVALID_REQUEST', 'A fault plan is a JSON object.', requestId);
    } else {
      handle.setFaults(json.value as FaultPlan);
      answer = { status: 200, body: { faults: json.value } };
    }
  } else if (req.method === 'POST' && path === '/_sandbox/latency') {
    const json = await readJsonBody(req, 1024 * 1024, requestId);
    const ms = json.ok ? (json.value as { ms?: unknown }).ms : undefined;
    if (!json.ok) answer = json.answer;
    else if (typeof ms !== 'number' || !(ms >= 0)) {
      answer = errorAnswer(400, 'INVALID_REQUEST', 'Send {"ms": <milliseconds ≥ 0>}.', requestId);
    } else {
      handle.setLatency(ms);
      answer = { status: 200, body: { latencyMs: ms } };
    }
  } else if (req.method === 'POST' && path === '/_sandbox/reset') {
    handle.reset();
    answer = { status: 200, body: { reset: true } };
  } else if (req.method === 'POST' && path === '/_sandbox/outage') {
    const json = await readJsonBody(req, 1024 * 1024, requestId);
    const ms = json.ok ? (json.value as { ms?: unknown }).ms : undefined;
    if (!json.ok) answer = json.answer;
    else if (typeof ms !== 'number' || !(ms > 0) || ms > 10 * 60_000) {
      answer = errorAnswer(
        400,
        'INVALID_REQUEST',
        'Send {"ms": <milliseconds, 1 to 600000>}.',
        requestId,
      );
    } else {
      // Answer first, then go away: the caller must learn that the outage started.
      res.once('finish', () => void handle.outage(ms));
      answer = { status: 200, body: { outageMs: ms } };
    }
  } else {
    answer = errorAnswer(
      404,
      'NOT_FOUND',
      `No sandbox control endpoint ${req.method} ${path}.`,
      requestId,
    );
  }
  return answer;
}
