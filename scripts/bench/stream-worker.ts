/**
 * One 20 MB streamed answer, read in its own process so peak RSS is its own:
 *   node -r ts-node/register stream-worker.ts <node|parser> <url> <key> <chars>
 * `parser` is the floor: undici + TextDecoder + eventsource-parser + JSON.parse, text joined.
 * `node` is the Slier transport and stream assembler the nodes use.
 */
import { createParser } from 'eventsource-parser';
import { request } from 'undici';

import { complete } from '../../nodes/shared/completion/complete';
import { closeDispatcher, getDispatcher } from '../../nodes/shared/transport/dispatcher';

async function main() {
	const [mode, url, apiKey, chars] = process.argv.slice(2);
	// Warm up with a small answer on the same path, so one-time costs (undici's llhttp WASM,
	// lazily loaded modules, JIT) are not counted as growth caused by the answer.
	await read(mode, url, apiKey, 'big [[size chars=65536]]');
	if (global.gc) global.gc();
	const baseline = process.memoryUsage().rss;
	const peakBefore = process.resourceUsage().maxRSS * 1024;
	// The process-wide peak may predate the baseline, so also sample RSS while reading.
	let sampled = baseline;
	const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 2);
	const started = process.hrtime.bigint();
	const length = await read(mode, url, apiKey, `big [[size chars=${chars}]]`);
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	clearInterval(sampler);
	const peakAfter = process.resourceUsage().maxRSS * 1024;
	const peakRss = Math.max(sampled, peakAfter > peakBefore ? peakAfter : 0, process.memoryUsage().rss);
	await closeDispatcher();
	process.stdout.write(JSON.stringify({ ms, length, rssGrowth: peakRss - baseline }));
}

async function read(mode: string, url: string, apiKey: string, content: string): Promise<number> {
	let length = 0;
	if (mode === 'parser') {
		const res = await request(`${url}/v1/chat/completions`, {
			method: 'POST',
			dispatcher: getDispatcher(),
			headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'claude-2', stream: true, messages: [{ role: 'user', content }] }),
		});
		let text = '';
		const parser = createParser({
			onEvent: (event) => {
				if (event.data === '[DONE]') return;
				const delta = JSON.parse(event.data).choices?.[0]?.delta?.content;
				if (typeof delta === 'string') text += delta;
			},
		});
		const decoder = new TextDecoder();
		for await (const chunk of res.body) parser.feed(decoder.decode(chunk, { stream: true }));
		length = text.length;
	} else {
		const answer = await complete(
			{ baseUrl: url, apiKey, timeoutMs: 60_000, maxRetries: 0 },
			{ endpoint: 'chat', apiVersion: 'v1', body: { model: 'claude-2', stream: true, messages: [{ role: 'user', content }] } },
		);
		length = answer.content?.length ?? 0;
	}
	return length;
}

void main();
