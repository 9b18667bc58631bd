/**
 * Slier models that call tools, picked by model id, for the tool-calling tests, e2e and bench:
 *   slier-tools             follows the prompt's instructions: prose, then <tool_call> blocks
 *   slier-tools-sloppy      writes calls the way models do anyway (`[[sloppy form=…]]`: fence,
 *                           array, openai, bare, string-args), then invents a result after them
 *   slier-tools-wrong-name  first calls a tool that does not exist; corrected, calls the right one
 *                           (`[[always-wrong]]`: never learns)
 *   slier-tools-native      reads `model_params.tools` and answers with OpenAI-style `tool_calls`
 * Which tools to call: `[[call tool=NAME args=<base64url JSON>]]` in the question (several allowed),
 * else every offered tool the question names, with the question as each string argument. Once
 * the last user message holds tool results, the model answers from them. `[[reply b64=…]]`
 * answers with a fixed text, `[[pace ms=N]]` spaces stream frames.
 * `[[format name=…]]` (slier-tools): write the calls as an open model would (call-formats.ts).
 * `[[with-prose]]` (slier-tools-wrong-name): the same sentence before the wrong and the right call;
 * `[[give-up]]`: corrected, it answers instead of calling again.
 * `[[corrected args=<base64url JSON>]]`: after a correction, the first call has these arguments.
 * `[[quote-results]]`: once results are in, answer with the first one repeated in a ``` fence.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import { writeCalls } from './call-formats';
import { num, parseDirectives, stripDirectives } from './directives';

export const TOOL_MODELS = ['slier-tools', 'slier-tools-sloppy', 'slier-tools-wrong-name', 'slier-tools-native'];

interface Body {
	model?: string;
	messages: Array<{ role: string; content: string }>;
	stream?: boolean;
	model_params?: { tools?: Array<{ function: OfferedTool }> };
}

interface OfferedTool {
	name: string;
	parameters?: { properties?: Record<string, { type?: string }> };
}

interface PlannedCall {
	name: string;
	args: Record<string, unknown>;
}

const delay = (ms: number) => sleep(ms, undefined, { ref: false });

/** Answers a completion for one of TOOL_MODELS; false for any other model. */
export async function toolModelCompletion(body: unknown, res: ServerResponse, latencyMs = 0): Promise<boolean> {
	const request = body as Body;
	if (!request || typeof request !== 'object' || !TOOL_MODELS.includes(request.model ?? '') || !Array.isArray(request.messages)) return false;
	if (!request.messages.every((m) => ['system', 'user', 'assistant'].includes(m?.role) && typeof m.content === 'string')) {
		res.writeHead(400, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ error: { message: 'Each message needs a role and a string content.', reason: 'invalid_request', status: 400, param: 'messages' } }));
		return true;
	}
	if (latencyMs) await delay(latencyMs);
	const kind = request.model!;
	const reply = decide(kind, request);
	const tokens = reply.text === '' ? [] : ` ${reply.text}`.split(/(?= )/);
	const usage = {
		prompt_tokens: request.messages.reduce((n, m) => n + String(m.content).split(/\s+/).filter(Boolean).length, 0),
		completion_tokens: tokens.length + (reply.toolCalls?.length ?? 0),
	};
	const usageBlock = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
	const head = { id: `tools-${Date.now().toString(36)}`, created: 1692154125, model: kind };
	const finish = reply.toolCalls ? 'tool_calls' : 'stop';
	if (!request.stream) {
		const message: Record<string, unknown> = { role: 'assistant', content: reply.text === '' && reply.toolCalls ? null : ` ${reply.text}` };
		if (reply.toolCalls) message.tool_calls = reply.toolCalls;
		const text = JSON.stringify({ ...head, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: finish }], usage: usageBlock });
		res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
		res.end(text);
		return true;
	}
	const pace = num(parseDirectives(request.messages.map((m) => String(m.content))).get('pace'), 'ms', 0);
	res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
	const send = async (delta: Record<string, unknown>, finishReason: string | null, extra: object = {}) => {
		if (res.destroyed) return;
		res.write(`data: ${JSON.stringify({ ...head, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra })}\n\n`);
		if (pace) await delay(pace);
	};
	await send({ role: 'assistant', content: '' }, null);
	for (const token of tokens) await send({ content: token }, null);
	for (const [index, call] of (reply.toolCalls ?? []).entries()) {
		// Split as real providers do: the id and name first, the arguments in two fragments.
		const args = call.function.arguments;
		const half = Math.ceil(args.length / 2);
		await send({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: args.slice(0, half) } }] }, null);
		await send({ tool_calls: [{ index, function: { arguments: args.slice(half) } }] }, null);
	}
	await send({}, finish, { usage: usageBlock });
	if (!res.destroyed) res.end('data: [DONE]\n\n');
	return true;
}

interface Reply {
	text: string;
	toolCalls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
}

function decide(kind: string, request: Body): Reply {
	const messages = request.messages;
	const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
	const question = [...messages].reverse().find((m) => m.role === 'user' && !/<tool_(result|error)/.test(m.content) && !m.content.startsWith('Your tool call was not run'))?.content ?? '';
	const directives = parseDirectives([question]);
	const fixed = directives.get('reply')?.b64;
	if (fixed !== undefined) return { text: Buffer.from(fixed, 'base64url').toString('utf8') };
	// Every result since the question (Agent v3 sends one call and one result per message pair).
	const since = messages.slice(messages.lastIndexOf(messages.find((m) => m.content === question && m.role === 'user')!) + 1);
	const results = since.filter((m) => m.role === 'user').flatMap((m) => readResults(m.content));
	if (results.length > 0) {
		// `[[quote-results]]`: repeat the first result in a fence, as a model summarizing a page may.
		if (directives.has('quote-results')) return { text: `The page says:\n\`\`\`\n${results[0].text}\n\`\`\`` };
		return { text: `Answer from the tools: ${results.map((r) => `${r.name} ${r.error ? 'failed with' : 'said'} ${r.text}`).join('; ')}` };
	}
	const tools = kind === 'slier-tools-native' ? (request.model_params?.tools ?? []).map((t) => t.function) : offeredInPrompt(messages);
	let calls = plan(question, tools);
	const corrected = lastUser.startsWith('Your tool call was not run');
	const fix = directives.get('corrected')?.args;
	if (corrected && fix && calls.length > 0) calls = [{ ...calls[0], args: JSON.parse(Buffer.from(fix, 'base64url').toString('utf8')) as Record<string, unknown> }, ...calls.slice(1)];
	if (calls.length === 0) return { text: `${kind} answers “${stripDirectives(question)}” ✓${tools.length === 0 ? ' (no tools were offered)' : ''}` };
	switch (kind) {
		case 'slier-tools-native':
			return {
				text: '',
				toolCalls: calls.map((call, i) => ({ id: `call_native_${i + 1}`, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.args) } })),
			};
		case 'slier-tools-sloppy':
			return { text: sloppy(calls, directives.get('sloppy')?.form ?? 'fence') };
		case 'slier-tools-wrong-name': {
			const prose = directives.has('with-prose') ? 'Let me work that out.\n' : '';
			// `[[give-up]]`: corrected, the model answers instead of calling again.
			if (corrected && directives.has('give-up')) return { text: `${prose}I could not find that tool, sorry.` };
			const right = corrected && !directives.has('always-wrong');
			const written = right ? calls : calls.map((call) => ({ ...call, name: `${call.name.toLowerCase()}_tool` }));
			return { text: `${prose}${tagged(written)}` };
		}
		default: {
			const format = directives.get('format')?.name;
			if (format) return { text: writeCalls(format, calls) };
			return { text: `Let me use ${calls.map((c) => c.name).join(' and ')}.\n${tagged(calls)}` };
		}
	}
}

const tagged = (calls: PlannedCall[]) => calls.map((call) => `<tool_call>\n${JSON.stringify({ name: call.name, arguments: call.args })}\n</tool_call>`).join('\n');

function sloppy(calls: PlannedCall[], form: string): string {
	const asString = (args: object) => JSON.stringify(args).replace(/}$/, ',}'); // a trailing comma
	switch (form) {
		case 'array':
			return `Calling both.\n\`\`\`json\n${JSON.stringify(calls.map((c) => ({ name: c.name, arguments: c.args })), null, 2)}\n\`\`\``;
		case 'openai':
			return JSON.stringify({ tool_calls: calls.map((c, i) => ({ id: `oa_${i}`, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } })) });
		case 'bare':
			return JSON.stringify({ name: calls[0].name, args: calls[0].args });
		case 'string-args':
			return calls.map((c) => `\`\`\`json\n{"name": "${c.name}", "arguments": ${JSON.stringify(asString(c.args))}}\n\`\`\``).join('\n');
		default:
			// Prose, a fence per call with `tool` / `input`, a trailing comma, then an invented result.
			return `Sure! I'll look that up.\n${calls.map((c) => `\`\`\`json\n{"tool": "${c.name}", "input": ${asString(c.args)}}\n\`\`\``).join('\n')}\nThe result is 42, so the answer is 42.`;
	}
}

/** The tools the prompt lists: one JSON object per line inside <tools>. */
function offeredInPrompt(messages: Body['messages']): OfferedTool[] {
	const system = messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n');
	const block = /<tools>\n([\s\S]*?)\n<\/tools>/.exec(system);
	if (!block) return [];
	return block[1].split('\n').flatMap((line) => {
		try {
			return [JSON.parse(line) as OfferedTool];
		} catch {
			return [];
		}
	});
}

function plan(question: string, tools: OfferedTool[]): PlannedCall[] {
	const asked = [...question.matchAll(/\[\[call tool=([^\s\]]+) args=([A-Za-z0-9_-]+)\]\]/g)];
	if (asked.length > 0) {
		return asked.map((m) => ({ name: m[1], args: JSON.parse(Buffer.from(m[2], 'base64url').toString('utf8')) as Record<string, unknown> }));
	}
	const text = stripDirectives(question.replace(/\[\[call [^\]]*\]\]/g, ''));
	return tools
		.filter((tool) => text.toLowerCase().includes(tool.name.toLowerCase().replace(/_/g, ' ')) || text.toLowerCase().includes(tool.name.toLowerCase()))
		.map((tool) => {
			const args: Record<string, unknown> = {};
			for (const [name, schema] of Object.entries(tool.parameters?.properties ?? {})) if (!schema.type || schema.type === 'string') args[name] = text;
			return { name: tool.name, args };
		});
}

function readResults(content: string): Array<{ name: string; text: string; error: boolean }> {
	return [...content.matchAll(/<tool_(result|error)(?: name="([^"]*)")?>\n([\s\S]*?)\n<\/tool_\1>/g)].map((m) => ({
		name: m[2] ?? 'a tool',
		text: m[3],
		error: m[1] === 'error',
	}));
}

/** `[[call tool=NAME args=…]]`: makes a tool model call NAME with these arguments. */
export function callDirective(name: string, args: object): string {
	return `[[call tool=${name} args=${Buffer.from(JSON.stringify(args)).toString('base64url')}]]`;
}
