import { runSlierNode } from '../helpers/slier-node';
import { useEmulator } from '../helpers/use-emulator';

/**
 * Every read is bounded: a Base URL that points at a huge file, or a broken gateway, fails the
 * item with a clear message, drops the connection, and leaves the process healthy. The bodies are
 * produced by the emulator as it writes them; hugeBytesWritten shows how much it got to send.
 */
const emulator = useEmulator();
const MB = 1024 * 1024;

async function one(text: string, stream = false) {
	const { items } = await runSlierNode({
		emulator,
		items: [{ text }],
		parameters: { stream, options: { maxRetries: 0 } },
		continueOnFail: true,
	});
	expect(items).toHaveLength(1);
	return items[0].json;
}

/** Resident memory grows by less than this while one item fails: generous, only a real bug crosses it. */
const SANE_GROWTH = 600 * MB;

async function withMemory<T>(fn: () => Promise<T>): Promise<{ result: T; growth: number }> {
	const before = process.memoryUsage().rss;
	let peak = before;
	const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
	try {
		const result = await fn();
		return { result, growth: Math.max(peak, process.memoryUsage().rss) - before };
	} finally {
		clearInterval(sampler);
	}
}

describe('bounded reads', () => {
	it('a 30 MB error page: the first 64 KiB are read, the connection dropped, a short error given', async () => {
		const { result: item, growth } = await withMemory(() => one('x [[huge kind=html mb=30]]'));
		// The excerpt is the page's first 200 characters of text (its unclosed tags included), cut.
		expect(item.error).toMatch(/^Slier had a server error \(HTTP 502\) after 0 retries: 502 Bad Gateway 502 Bad Gateway <script <p <a .*… \(item 0\)$/);
		expect(String(item.error).length).toBeLessThan(320);
		expect(emulator.stats.hugeBytesWritten).toBeLessThan(30 * MB);
		expect(growth).toBeLessThan(SANE_GROWTH);
	}, 30_000);

	it.each([
		['a 100 MB application/json body fails the item past 32 MiB', 'json', 100, false, 'a JSON response larger than 32 MiB'],
		['one 50 MB SSE line with no line break fails the item past 16 MiB', 'sse-line', 50, true, 'one stream event (or line) larger than 16 MiB'],
	] as const)('%s', async (_name, kind, mb, stream, what) => {
		const { result: item, growth } = await withMemory(() => one(`x [[huge kind=${kind} mb=${mb}]]`, stream));
		expect(item.error).toBe(`Slier sent ${what}, the most this node reads; it stopped reading and dropped the connection (item 0)`);
		expect(emulator.stats.hugeBytesWritten).toBeLessThan(mb * MB);
		expect(growth).toBeLessThan(SANE_GROWTH);
	}, 60_000);

	it('a streamed answer beyond 32 Mi characters fails the item', async () => {
		const item = await one(`x [[size chars=${33 * MB}]]`, true);
		expect(item.error).toBe(
			'Slier sent an answer larger than 32 Mi characters, the most this node reads; it stopped reading and dropped the connection (item 0)',
		);
	}, 60_000);

	it('the process stays healthy: the next request answers', async () => {
		expect((await one('still here')).content).toBe('claude-2 answers “still here” ✓');
	});
});
