import { closeDispatcher } from '../../nodes/shared/transport/dispatcher';
import { startEmulator, type EmulatorOptions, type SlierEmulator } from '../emulator/server';
import { TEST_API_KEY } from './slier-node';

/**
 * One emulator per test file: started before the tests, reset before each, closed after (with
 * the shared connection pool, so jest exits at once). The returned object stands for the live
 * emulator, so tests can use it as if they had started it themselves.
 */
export function useEmulator(options: EmulatorOptions = {}): SlierEmulator {
	let live: SlierEmulator | undefined;
	beforeAll(async () => {
		live = await startEmulator({ apiKey: TEST_API_KEY, ...options });
	});
	afterAll(async () => {
		await live?.close();
		await closeDispatcher();
	});
	beforeEach(() => live?.reset());
	return new Proxy({} as SlierEmulator, {
		get(_, key) {
			if (!live) throw new Error('the emulator is used outside a test');
			const value = live[key as keyof SlierEmulator];
			return typeof value === 'function' ? value.bind(live) : value;
		},
	});
}
