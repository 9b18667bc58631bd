/**
 * Lints as n8n lints a community package: n8n's own plugin `@n8n/eslint-plugin-community-nodes`
 * (config `recommendedWithoutN8nCloudSupport`: this package keeps its runtime dependencies undici
 * and eventsource-parser, so it is not meant for n8n Cloud) beside eslint-plugin-n8n-nodes-base's
 * community, credentials and nodes rule sets, on the files n8n's scanner reads
 * (`package.json` and `{nodes,credentials}/**`). The rule-set wiring and its three "off"s follow
 * `@n8n/node-cli`'s config and `@n8n/scan-community-package`, so `npm run lint` finds what they find.
 */
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tsParser from '@typescript-eslint/parser';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import { defineConfig, globalIgnores } from 'eslint/config';

export default defineConfig(
	globalIgnores(['dist/**', 'node_modules/**', 'scratch/**', 'coverage/**']),
	n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport,
	{
		rules: {
			'no-console': 'error',
			// The owner's choice: the transport is built on undici and eventsource-parser (see the
			// README's Development section). Reported on every run, as a warning so CI can pass.
			'@n8n/community-nodes/no-runtime-dependencies': 'warn',
		},
	},
	{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{
		files: ['package.json'],
		rules: { ...n8nNodesBase.configs.community.rules },
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// For n8n's own repository, where documentation URLs are slugs.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			// n8n's credential-password-field rule (above) checks this more accurately.
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Written for string literals; inputs and outputs are NodeConnectionTypes constants, and a
			// sub-node (Slier Chat Model) has no main input and an ai_languageModel output.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			// An API can have a real maximum (Max Concurrent Requests is 1–64).
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	// package.json and the codex files are JSON: the TypeScript parser reads a top-level object.
	{
		files: ['**/*.json'],
		languageOptions: { parser: tsParser, parserOptions: { extraFileExtensions: ['.json'] } },
	},
	{
		files: ['**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
	},
);
