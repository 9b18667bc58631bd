/** Tests run the nodes in n8n-core's real engine against the Slier emulator on 127.0.0.1. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// .ts first: `SlierChat.node` must resolve to the node, not its codex SlierChat.node.json.
	moduleFileExtensions: ['ts', 'js', 'json'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
	setupFiles: ['<rootDir>/test/helpers/setup-env.ts'],
	reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
	testTimeout: 30_000,
	// Type errors are caught by `npm run typecheck`; here ts-jest only transpiles, which is faster.
	maxWorkers: 2,
};
