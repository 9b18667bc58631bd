import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Checks the built package the way n8n loads a community package: the files listed in
 * package.json's "n8n" section, compiled to plain JS, with their icons and codex files.
 * `npm test` builds first, so this runs against the current code.
 */
const root = resolve(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

type Described = { description?: { name: string; icon?: unknown }; name?: string; icon?: unknown };

function load(file: string): Described {
	const path = join(root, file);
	expect(existsSync(path)).toBe(true);
	const className = basename(file).split('.')[0];
	const exported = require(path)[className];
	expect(typeof exported).toBe('function');
	return new exported() as Described;
}

function iconFiles(icon: unknown): string[] {
	if (typeof icon === 'string') return [icon];
	if (icon && typeof icon === 'object') return Object.values(icon as Record<string, string>);
	return [];
}

describe('the built package', () => {
	it('is an n8n community package with only undici and eventsource-parser at runtime', () => {
		expect(pkg.name).toBe('n8n-nodes-slier');
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
		// The SDK is n8n's own (n8n ≥ 2.16); optional so n8n 1.x and `npm install` without it work.
		expect(pkg.peerDependencies).toEqual({ '@n8n/ai-node-sdk': '*', 'n8n-workflow': '*' });
		expect(pkg.peerDependenciesMeta).toEqual({ '@n8n/ai-node-sdk': { optional: true } });
		expect(pkg.n8n.aiNodeSdkVersion).toBe(1);
		expect(Object.keys(pkg.dependencies).sort()).toEqual(['eventsource-parser', 'undici']);
	});

	it.each([...pkg.n8n.credentials, ...pkg.n8n.nodes] as string[])('loads %s with its icons', (file) => {
		const instance = load(file);
		const icon = instance.description?.icon ?? instance.icon;
		const icons = iconFiles(icon);
		expect(icons.length).toBeGreaterThan(0);
		for (const ref of icons) {
			expect(ref).toMatch(/^file:/);
			expect(existsSync(join(root, dirname(file), ref.slice('file:'.length)))).toBe(true);
		}
	});

	it.each(pkg.n8n.nodes as string[])('ships a codex file for %s naming the node type', (file) => {
		const codexPath = join(root, file.replace(/\.js$/, '.json'));
		const codex = JSON.parse(readFileSync(codexPath, 'utf8'));
		const { description } = load(file);
		expect(codex.node).toBe(`n8n-nodes-slier.${description!.name}`);
		expect(codex.resources.primaryDocumentation[0].url).toMatch(/^https:\/\//);
	});
});
