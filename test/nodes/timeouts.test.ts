import { chatCompletion, chatEvent, pause, useRawServer } from '../helpers/raw-server';
import { runOne, runSlierNode } from '../helpers/slier-node';

/**
 * Timeout (Ms) through the node, against raw servers that stall exactly where a test says. The
 * stalls send no byte at all for longer than Timeout, so each case holds whether Timeout bounds
 * the silence between parts or (for a plain answer) the whole wait. Every server loop is bounded
 * and stops when the client leaves.
 */
const KEY = 'sk-raw-timeouts-000001';
type Behaviour = 'steady-stream' | 'stall-after-headers' | 'stream-stall-after-headers' | 'pings-only';
let behaviour: Behaviour = 'steady-stream';

const server = useRawServer(async (_req, res) => {
	let left = false;
	res.on('close', () => (left = true));
	switch (behaviour) {
		case 'steady-stream':
			// 12 parts of the answer 150 ms apart: 1.8 s in all, never silent for 0.6 s.
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			for (let i = 0; i < 12 && !left; i++) {
				res.write(chatEvent(` w${i}`));
				await pause(150);
			}
			res.end(chatEvent('.', 'stop') + 'data: [DONE]\n\n');
			return;
		case 'stall-after-headers':
			// Headers at once, then nothing for up to 3 s, then a whole answer (if anyone still waits).
			res.writeHead(200, { 'content-type': 'application/json' });
			res.flushHeaders();
			for (let i = 0; i < 30 && !left; i++) await pause(100);
			if (!left) res.end(chatCompletion(' Late.'));
			return;
		case 'stream-stall-after-headers':
			// Stream headers at once, then no byte for up to 3 s.
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			res.flushHeaders();
			for (let i = 0; i < 30 && !left; i++) await pause(100);
			if (!left) res.end(chatEvent(' Late.', 'stop') + 'data: [DONE]\n\n');
			return;
		case 'pings-only':
			// One part of the answer, then only keep-alive comments every 100 ms for 4 s.
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			res.write(chatEvent(' Hel'));
			for (let i = 0; i < 40 && !left; i++) {
				res.write(': ping\n\n');
				await pause(100);
			}
			res.end();
	}
});

const target = () => ({ url: server.url, apiKey: KEY });

describe('Timeout bounds silence, not a stream that keeps answering', () => {
	it('a stream that steadily sends answer text for three times Timeout succeeds', async () => {
		behaviour = 'steady-stream';
		const item = await runOne({ emulator: target(), parameters: { stream: true, options: { timeout: 600, maxRetries: 0 } } });
		expect(item.error).toBeUndefined();
		expect(item.content).toBe('w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11.');
	});

	it('a stream that only sends keep-alive comments fails after Timeout as a timeout', async () => {
		behaviour = 'pings-only';
		const item = await runOne({ emulator: target(), parameters: { stream: true, options: { timeout: 1000, maxRetries: 0 } } });
		expect(item.errorType).toBe('timeout');
		expect(String(item.error)).toMatch(/sent no answer text for longer than 1 second, only keep-alives or empty events/);
	});
});

describe('a stream that sends its headers and then nothing', () => {
	it('fails as a timeout within about Timeout, and is not retried', async () => {
		behaviour = 'stream-stall-after-headers';
		const before = server.requests;
		const started = Date.now();
		const item = await runOne({ emulator: target(), parameters: { stream: true, options: { timeout: 500, maxRetries: 2 } } });
		expect(Date.now() - started).toBeLessThan(2_500);
		expect(item.errorType).toBe('timeout');
		expect(String(item.error)).toMatch(/0\.5 seconds \(item 0\)$/);
		expect(server.requests - before).toBe(1);
	});
});

describe('a plain answer whose body stalls after the headers', () => {
	it('fails as a timeout, is not retried, and says which option raises the limit', async () => {
		behaviour = 'stall-after-headers';
		const before = server.requests;
		const started = Date.now();
		const { error } = await runSlierNode({ emulator: target(), items: [{ text: 'hi' }], parameters: { options: { timeout: 500, maxRetries: 2 } } });
		expect(Date.now() - started).toBeLessThan(2_500);
		expect(error?.message).toMatch(/0\.5 seconds \(item 0\)$/);
		expect(error?.description).toMatch(/^Raise Options → Timeout \(Ms\) \(now 500 ms/);
		// A timeout is not a network failure: retrying it would only wait as long again.
		expect(server.requests - before).toBe(1);
	});

	it('its errorType is timeout, not network', async () => {
		behaviour = 'stall-after-headers';
		const item = await runOne({ emulator: target(), parameters: { options: { timeout: 500, maxRetries: 2 } } });
		expect(item.errorType).toBe('timeout');
	});
});

describe('Timeout 0', () => {
	it('is refused as bad input before anything is sent, saying which option to set and how', async () => {
		const before = server.requests;
		const { error } = await runSlierNode({ emulator: target(), items: [{ text: 'hi' }], parameters: { options: { timeout: 0 } } });
		expect(error?.message).toMatch(/^Timeout is /);
		expect(error?.description).toBe('Set Options → Timeout (Ms) to a positive number of milliseconds, e.g. 300000 for 5 minutes.');
		const item = await runOne({ emulator: target(), parameters: { options: { timeout: 0 } } });
		expect(item.errorType).toBe('invalid_input');
		expect(server.requests).toBe(before);
	});

	it('the message names the value it refused and what is wrong with it', async () => {
		const item = await runOne({ emulator: target(), parameters: { options: { timeout: 0 } } });
		expect(item.error).toMatch(/^Timeout is 0 ms: it must be more than 0\b/);
	});
});
