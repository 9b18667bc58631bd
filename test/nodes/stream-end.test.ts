import { chatEvent, pause, useRawServer } from '../helpers/raw-server';
import { runOne } from '../helpers/slier-node';

/**
 * `data: [DONE]` ends an answer: the item is whole there, whatever the server does next (keeps
 * sending, resets, closes without ending the chunked body). Raw servers, as the emulator's
 * hold-open directive pings every 200 ms, slower than the 100 ms end grace.
 */
const KEY = 'sk-raw-stream-end-0001';
let after: 'more-data' | 'reset' | 'destroy' = 'more-data';
const trailing = { sent: 0, total: 150, clientLeft: false };

const server = useRawServer(async (_req, res) => {
	res.writeHead(200, { 'content-type': 'text/event-stream' });
	res.write(chatEvent(' Whole.', 'stop'));
	res.write('data: [DONE]\n\n');
	if (after === 'more-data') {
		res.on('close', () => (trailing.clientLeft = !res.writableFinished));
		// Bounded: 150 more events, 20 ms apart (3 s), then the end.
		for (trailing.sent = 0; trailing.sent < trailing.total && !res.destroyed; trailing.sent++) {
			res.write(chatEvent(' more'));
			await pause(20);
		}
		res.end();
		return;
	}
	await pause(20);
	if (after === 'reset') res.socket?.resetAndDestroy();
	else res.socket?.destroy();
});

const run = () => runOne({ emulator: { url: server.url, apiKey: KEY }, parameters: { stream: true, options: { timeout: 10_000, maxRetries: 0 } } });

it('data after [DONE] is not read: the item returns and the client leaves long before the server is done', async () => {
	after = 'more-data';
	expect(await run()).toMatchObject({ content: 'Whole.', finishReason: 'stop' });
	// Wait (bounded) for the server's loop to notice.
	for (let i = 0; i < 100 && !trailing.clientLeft && trailing.sent < trailing.total; i++) await pause(20);
	expect(trailing.clientLeft).toBe(true);
	// Generous: the grace is 100 ms, i.e. ~5 events; only reading to the end reaches 150.
	expect(trailing.sent).toBeLessThan(100);
});

it.each(['reset', 'destroy'] as const)('a connection %s right after [DONE] still gives the whole answer', async (kind) => {
	after = kind;
	expect(await run()).toMatchObject({ content: 'Whole.', finishReason: 'stop' });
});
