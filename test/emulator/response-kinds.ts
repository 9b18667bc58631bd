import type { ServerResponse } from 'node:http';

import type { Completion, Endpoint } from './answers';
import { num, type Directives } from './directives';
import { SseWriter } from './sse-writer';

/**
 * Responses that are not what was asked, or not the API at all (issue 16, classes 3, 5, 7, 8):
 * - `[[body as=sse|json type=<content-type>]]`: the answer as a stream or as one JSON document,
 *   whatever the request asked for, under the Content-Type given (default: the matching one), e.g.
 *   `[[body as=json type=text/event-stream]]` (a header that lies).
 * - `[[website]]`: 200 with nginx's welcome page; `[[empty-200 type=application/json]]`: 200 with an
 *   empty body; `[[other-json]]`: 200 with JSON from another service; `[[empty-stream]]`: a stream
 *   header and no event at all; `[[no-content]]`: 204; `[[redirect-key]]`: a 307 whose Location carries the key in
 *   its path and query.
 * - `[[choices n=2]]`: n choices (streamed: interleaved by index); `[[parts]]`: content as an array
 *   of text parts; `[[done-only]]`: a stream of nothing but `[DONE]` (not streamed: a message with
 *   no content and no finish reason); `[[length-null]]`: `content: null`, `finish_reason: length`.
 * - `[[huge-header kb=64]]`: a 200 with a header larger than clients read; `[[short-body]]`: a
 *   Content-Length larger than the body, then the connection closes; `[[not-http]]`: bytes that are
 *   not HTTP at all.
 */
export async function responseKindReply(
	endpoint: Endpoint,
	answer: Completion,
	directives: Directives,
	stream: boolean,
	res: ServerResponse,
	authorization: string,
): Promise<boolean> {
	if (directives.has('website')) {
		res.writeHead(200, { 'content-type': 'text/html' });
		res.end(NGINX_WELCOME);
		return true;
	}
	const empty = directives.get('empty-200');
	if (empty) {
		res.writeHead(200, empty.type ? { 'content-type': decodeURIComponent(empty.type) } : {});
		res.end();
		return true;
	}
	if (directives.has('other-json')) {
		// Another JSON service at the Base URL (a health check, say).
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ status: 'ok', service: 'inventory', version: 3 }));
		return true;
	}
	if (directives.has('empty-stream')) {
		res.writeHead(200, { 'content-type': 'text/event-stream' });
		res.end();
		return true;
	}
	if (directives.has('no-content')) {
		res.writeHead(204);
		res.end();
		return true;
	}
	if (directives.has('redirect-key')) {
		const key = authorization.replace(/^Bearer /, '');
		res.writeHead(307, { location: `http://127.0.0.1:9/sign-in/${key}/next?api_key=${key}&x=1` });
		res.end();
		return true;
	}
	const header = directives.get('huge-header');
	if (header) {
		raw(res, `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: ${'a'.repeat(num(header, 'kb', 64) * 1024)}\r\nContent-Length: 2\r\n\r\n{}`);
		return true;
	}
	if (directives.has('short-body')) {
		const body = JSON.stringify(completionObject(endpoint, answer, directives));
		raw(res, `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body) + 100}\r\nConnection: close\r\n\r\n${body}`);
		return true;
	}
	if (directives.has('not-http')) {
		raw(res, 'SSH-2.0-OpenSSH_9.6\r\n\r\nProtocol mismatch.\r\n');
		return true;
	}
	const shapes = ['body', 'choices', 'parts', 'done-only', 'length-null'];
	if (!shapes.some((name) => directives.has(name))) return false;
	const as = directives.get('body')?.as ?? (stream ? 'sse' : 'json');
	const type = directives.get('body')?.type;
	if (as === 'sse') {
		res.writeHead(200, { 'content-type': type ? decodeURIComponent(type) : 'text/event-stream' });
		const out = new SseWriter(res, {});
		for (const payload of sseEvents(endpoint, answer, directives)) await out.data(payload);
		res.end();
	} else {
		const text = JSON.stringify(completionObject(endpoint, answer, directives));
		res.writeHead(200, { 'content-type': type ? decodeURIComponent(type) : 'application/json', 'content-length': Buffer.byteLength(text) });
		res.end(text);
	}
	return true;
}

/** Writes bytes straight to the socket, bypassing Node's HTTP writer, then closes it. */
function raw(res: ServerResponse, text: string): void {
	const socket = res.socket;
	if (!socket) return;
	socket.write(text, () => socket.end());
}

function choiceCount(directives: Directives): number {
	return Math.max(1, Math.min(8, num(directives.get('choices'), 'n', 1)));
}

/** The text of choice `index`: choice 0 is the usual answer, the others say which they are. */
function tokensOf(answer: Completion, index: number): string[] {
	return index === 0 ? answer.tokens : answer.tokens.map((token, i) => (i === 0 ? ` (choice ${index})${token}` : token));
}

function contentValue(text: string | null, directives: Directives): unknown {
	if (text === null) return null;
	if (!directives.has('parts')) return text;
	const half = Math.ceil(text.length / 2);
	return [
		{ type: 'text', text: text.slice(0, half) },
		{ type: 'text', text: text.slice(half) },
	];
}

function usage(answer: Completion) {
	const completion = answer.tokens.length;
	return { prompt_tokens: answer.promptTokens, completion_tokens: completion, total_tokens: answer.promptTokens + completion };
}

function completionObject(endpoint: Endpoint, answer: Completion, directives: Directives): Record<string, unknown> {
	const doneOnly = directives.has('done-only');
	const lengthNull = directives.has('length-null');
	const choices = Array.from({ length: choiceCount(directives) }, (_, index) => ({
		index,
		message: { role: 'assistant', content: doneOnly || lengthNull ? null : contentValue(tokensOf(answer, index).join(''), directives) },
		finish_reason: doneOnly ? null : lengthNull ? 'length' : 'stop',
	}));
	return {
		id: answer.id,
		object: `${endpoint}.completion`,
		created: answer.created,
		...(answer.model !== null ? { model: answer.model } : {}),
		choices,
		...(endpoint === 'chat' ? { usage: usage(answer) } : {}),
	};
}

/** The stream's data payloads; with several choices, their deltas interleave by index. */
function sseEvents(endpoint: Endpoint, answer: Completion, directives: Directives): string[] {
	if (directives.has('done-only')) return ['[DONE]'];
	const chunk = (choices: object[], extra: object = {}) =>
		JSON.stringify({
			id: answer.id,
			object: `${endpoint}.completion.chunk`,
			created: answer.created,
			...(answer.model !== null ? { model: answer.model } : {}),
			choices,
			...extra,
		});
	const n = choiceCount(directives);
	const events: string[] = [];
	for (let index = 0; index < n; index++) events.push(chunk([{ index, delta: { role: 'assistant', content: '' }, finish_reason: null }]));
	const lengthNull = directives.has('length-null');
	const tokens = Array.from({ length: n }, (_, index) => (lengthNull ? [] : tokensOf(answer, index)));
	const longest = Math.max(...tokens.map((t) => t.length));
	for (let i = 0; i < longest; i++) {
		for (let index = 0; index < n; index++) {
			const token = tokens[index][i];
			if (token !== undefined) events.push(chunk([{ index, delta: { content: contentValue(token, directives) }, finish_reason: null }]));
		}
	}
	for (let index = 0; index < n; index++) {
		const last = index === n - 1;
		events.push(chunk([{ index, delta: {}, finish_reason: lengthNull ? 'length' : 'stop' }], last && endpoint === 'chat' ? { usage: usage(answer) } : {}));
	}
	events.push('[DONE]');
	return events;
}

const NGINX_WELCOME = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>html { color-scheme: light dark; } body { width: 35em; margin: 0 auto; font-family: Tahoma, Verdana, Arial, sans-serif; }</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and working. Further configuration is required.</p>
</body>
</html>
`;
