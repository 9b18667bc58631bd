/**
 * `npm run emulator`: the Slier emulator on 127.0.0.1, for pointing a real n8n credential at.
 * PORT and SLIER_EMULATOR_KEY change the port (default 8787) and the accepted API key.
 */
import { DEFAULT_EMULATOR_KEY, startEmulator } from '../test/emulator/server';

async function main() {
	const emulator = await startEmulator({
		port: Number(process.env.PORT ?? 8787), // PORT=0 picks a free port
		apiKey: process.env.SLIER_EMULATOR_KEY ?? DEFAULT_EMULATOR_KEY,
		frameDelayMs: Number(process.env.SLIER_EMULATOR_FRAME_DELAY_MS ?? 0),
	});
	console.log(`Slier emulator listening on ${emulator.url}`);
	console.log(`In n8n, create a "Slier API" credential with Base URL ${emulator.url} and API Key ${emulator.apiKey}`);
	console.log('Add [[429 times=1]], [[filter]], [[cut after=2]] … to a message to make it misbehave (see README). Ctrl-C stops it.');
	const stop = () => void emulator.close().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

void main();
